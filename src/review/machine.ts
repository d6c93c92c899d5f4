/**
 * Machine review results in the store: the content a review job works on, the
 * result it brings back (which routes the post to people or back to its
 * editor), a compliance override of a machine block, and reviewers' marks on
 * single findings (which rule statistics count, rules/stats.ts).
 */
import { and, eq } from 'drizzle-orm';
import { accounts, findingMarks, machineReviews, outbox, posts, postVersions, reviewTasks } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, allOf, get, getOf, run, runOf, statement, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { PostStatus } from './transitions.js';
import { routeReview } from './routing.js';
import type { ClassifierResult, Hit, MachineReviewResult, ReviewInput } from './types.js';
import { currentVersion$, loadPost$, move, setStatus$ } from '../posts/records.js';
import type { Actor } from '../users/actor.js';

/** The statements every machine review runs, prepared once (store/program.ts `statement`). */
const REVIEW_INPUT = statement((db, a: { versionId: number }) =>
  db
    .select({ v: postVersions, account: accounts.name })
    .from(postVersions)
    .innerJoin(posts, eq(posts.id, postVersions.postId))
    .innerJoin(accounts, eq(accounts.id, posts.accountId))
    .where(eq(postVersions.id, a.versionId)),
);
const INSERT_MACHINE_REVIEW = statement(
  (
    db,
    a: {
      versionId: number;
      verdict: MachineReviewResult['verdict'];
      categories: MachineReviewResult['categories'];
      findings: MachineReviewResult['hits'];
      classifier: MachineReviewResult['classifier'];
      rulesVersion: string;
      modelVersion: string | null;
      classifierSkipped: MachineReviewResult['classifierSkipped'] | null;
      modelFinding: MachineReviewResult['modelFinding'] | null;
      durationMs: number | null;
    },
  ) =>
    db
      .insert(machineReviews)
      .values({
        versionId: a.versionId,
        verdict: a.verdict,
        categories: a.categories,
        findings: a.findings,
        classifier: a.classifier,
        rulesVersion: a.rulesVersion,
        modelVersion: a.modelVersion,
        classifierSkipped: a.classifierSkipped,
        modelFinding: a.modelFinding,
        durationMs: a.durationMs,
      })
      .onConflictDoNothing()
      .returning({ id: machineReviews.id }),
);
const CLOSE_REVIEW_OUTBOX = statement((db, a: { versionId: number }) =>
  db
    .update(outbox)
    .set({ state: 'done', lastError: null })
    .where(and(eq(outbox.kind, 'machine_review'), eq(outbox.versionId, a.versionId))),
);
const VERSION_BY_ID = statement((db, a: { id: number }) => db.select().from(postVersions).where(eq(postVersions.id, a.id)));
const POST_BY_ID = statement((db, a: { id: string }) => db.select().from(posts).where(eq(posts.id, a.id)));
const INSERT_REVIEW_TASK = statement(
  (db, a: { postId: string; versionId: number; requiredApprovals: number; assignedRole: 'reviewer' | 'compliance'; riskScore: number; at: string }) =>
    db
      .insert(reviewTasks)
      .values({ postId: a.postId, versionId: a.versionId, requiredApprovals: a.requiredApprovals, assignedRole: a.assignedRole, riskScore: a.riskScore, createdAt: a.at, updatedAt: a.at })
      .onConflictDoNothing(),
);

export function machineReviewPrograms(ctx: StoreContext) {
  const { db, now } = ctx;
  return {
    /** The content a machine-review job works on. */
    *reviewInput(versionId: number): Program<ReviewInput | null> {
      const v = yield* getOf(db, REVIEW_INPUT, { versionId });
      if (!v) return null;
      return {
        id: v.v.postId,
        ...(v.v.title != null ? { title: v.v.title } : {}),
        body: v.v.body,
        ...(v.v.platform != null ? { platform: v.v.platform } : {}),
        account: v.account,
        date: v.v.publishDate,
      };
    },

    /**
     * Records a machine review and routes the post. Idempotent: a second result
     * for the same version (a retried or duplicated job) changes nothing. A result
     * for a superseded version is kept for the record but moves nothing.
     */
    *applyMachineReview(versionId: number, result: MachineReviewResult, durationMs?: number): Program<void> {
      const inserted = yield* allOf(db, INSERT_MACHINE_REVIEW, {
        versionId,
        verdict: result.verdict,
        categories: result.categories,
        findings: result.hits,
        classifier: result.classifier,
        rulesVersion: result.rulesVersion,
        modelVersion: result.modelVersion,
        classifierSkipped: result.classifierSkipped ?? null,
        modelFinding: result.modelFinding ?? null,
        durationMs: durationMs != null ? Math.round(durationMs) : null,
      });
      yield* runOf(db, CLOSE_REVIEW_OUTBOX, { versionId });
      if (inserted.length === 0) return;
      const version = yield* getOf(db, VERSION_BY_ID, { id: versionId });
      if (!version) throw new Error(`version ${versionId} vanished`);
      const post = (yield* getOf(db, POST_BY_ID, { id: version.postId }))!;
      if (post.currentVersion !== version.version || post.status !== 'submitted') return;
      const to = move(null, post, { type: 'machine_reviewed', verdict: result.verdict });
      const at = now().toISOString();
      if (to === 'pending_review') {
        const routing = routeReview(result);
        yield* runOf(db, INSERT_REVIEW_TASK, { postId: post.id, versionId, requiredApprovals: routing.requiredApprovals, assignedRole: routing.assignedRole, riskScore: routing.riskScore, at });
      }
      yield* setStatus$(ctx, post, to, null);
      yield* appendAudit$(
        db,
        {
          actorId: null,
          action: 'post.machine_review',
          entityType: 'post',
          entityId: post.id,
          data: { version: version.version, verdict: result.verdict, categories: result.categories, rulesVersion: result.rulesVersion, modelVersion: result.modelVersion, from: post.status, to },
        },
        now(),
      );
    },

    /**
     * A compliance officer overrides a machine block with a written reason: the
     * post goes to human review and, being high risk, needs two approvals.
     */
    *overrideBlock(actor: Actor, postId: string, reason: string): Program<{ id: string; status: PostStatus }> {
      const post = yield* loadPost$(db, actor, postId);
      const version = yield* currentVersion$(db, post);
      const mr = yield* get(db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)));
      if (!mr || mr.verdict !== 'block') throw new DomainError('conflict', 'only a machine block can be overridden', undefined, '只有被机器拦截的稿件才能覆盖拦截');
      const to = move(actor, post, { type: 'override_block', reason: reason.trim() });
      const routing = routeReview({ verdict: mr.verdict, hits: mr.findings as Hit[], classifier: (mr.classifier as ClassifierResult | null) ?? null });
      const at = now().toISOString();
      yield* run(
        db
          .insert(reviewTasks)
          .values({ postId, versionId: version.id, requiredApprovals: 2, assignedRole: routing.assignedRole, riskScore: routing.riskScore, createdAt: at, updatedAt: at })
          .onConflictDoNothing(),
      );
      yield* setStatus$(ctx, post, to, actor.id);
      yield* appendAudit$(db, { actorId: actor.id, action: 'post.override_block', entityType: 'post', entityId: postId, data: { version: post.currentVersion, reason: reason.trim(), from: post.status, to } }, now());
      return { id: postId, status: to };
    },

    /** Marks one machine finding of the current version as a false positive or confirmed. */
    *markFinding(actor: Actor, postId: string, findingIndex: number, mark: 'false_positive' | 'confirmed'): Program<void> {
      if (actor.role !== 'reviewer' && actor.role !== 'compliance') throw new DomainError('forbidden', `role ${actor.role} may not mark findings`, undefined, '只有审核员和合规审查人员可以标记机器审核发现');
      const post = yield* loadPost$(db, actor, postId);
      if (post.authorId === actor.id) throw new DomainError('forbidden', 'separation of duties: you cannot judge findings on your own post', undefined, '职责分离：不能评判自己稿件的机器审核发现');
      const version = yield* currentVersion$(db, post);
      const mr = yield* get(db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)));
      const finding = (mr?.findings as Hit[] | undefined)?.[findingIndex];
      if (!finding) throw new DomainError('invalid', `no finding ${findingIndex} on the current version`, 'index', '当前版本没有这条机器审核发现');
      yield* run(
        db
          .insert(findingMarks)
          .values({ versionId: version.id, findingIndex, rule: finding.rule, reviewerId: actor.id, mark })
          .onConflictDoUpdate({ target: [findingMarks.versionId, findingMarks.findingIndex, findingMarks.reviewerId], set: { mark, createdAt: now().toISOString() } }),
      );
      yield* appendAudit$(db, { actorId: actor.id, action: 'finding.mark', entityType: 'post', entityId: postId, data: { version: post.currentVersion, findingIndex, rule: finding.rule, mark } }, now());
    },
  };
}
