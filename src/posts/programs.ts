/**
 * Posts: an editor submits a post (version 1) or a new version of it; each
 * version is immutable and gets its machine review through the outbox. Read
 * side: one post with everything that happened to it, the list of posts, and
 * the differences between two versions.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { accounts, auditLog, decisions, machineReviews, outbox, posts, postVersions, publications, reviewTasks, users } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { afterCommit, all, allOf, get, getOf, rows, run, runOf, statement, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { PostStatus } from '../review/transitions.js';
import type { Category, ClassifierResult, Hit, ModelFinding } from '../review/types.js';
import { isValidDate, today } from '../review/dates.js';
import { taskViews$, type DecisionView } from '../review/tasks.js';
import { accountScope, type Actor } from '../users/actor.js';
import { currentVersion$, loadPost$, move, setStatus$ } from './records.js';
import { textDiff } from './diff.js';
import { remember$, replay$, type Idempotency } from './idempotency.js';
import type { NewPost, NewVersion, PostSummary, PostView, VersionDiff } from './types.js';

function contentHash(v: { title?: string | null; body: string; platform?: string | null; date: string }): string {
  return createHash('sha256').update(JSON.stringify([v.title ?? null, v.body, v.platform ?? null, v.date])).digest('hex');
}

/** What a submission answers; `replayed` when it is the first answer to a repeated Idempotency-Key. */
export interface Submitted {
  id: string;
  status: PostStatus;
  version: number;
  replayed?: boolean;
}

function checkDate(date: string | undefined): string {
  const d = date ?? today();
  if (!isValidDate(d)) throw new DomainError('invalid', 'date must be a calendar day YYYY-MM-DD', 'date', '拟发布日期须为 YYYY-MM-DD 格式的有效日期');
  return d;
}

/** The statements of a submission, prepared once (store/program.ts `statement`): every post runs them. */
const ACCOUNT_BY_NAME = statement((db, a: { name: string }) => db.select().from(accounts).where(eq(accounts.name, a.name)));
const INSERT_POST = statement((db, a: { id: string; accountId: number; authorId: number; at: string }) =>
  db.insert(posts).values({ id: a.id, accountId: a.accountId, authorId: a.authorId, status: 'submitted', currentVersion: 1, createdAt: a.at, updatedAt: a.at }),
);
const INSERT_VERSION = statement((db, a: { postId: string; version: number; title: string | null; body: string; platform: string | null; publishDate: string; contentHash: string }) =>
  db
    .insert(postVersions)
    .values({ postId: a.postId, version: a.version, title: a.title, body: a.body, platform: a.platform, publishDate: a.publishDate, contentHash: a.contentHash })
    .returning({ id: postVersions.id }),
);
const INSERT_REVIEW_OUTBOX = statement((db, a: { versionId: number }) => db.insert(outbox).values({ kind: 'machine_review', versionId: a.versionId }).onConflictDoNothing());

export function postPrograms(ctx: StoreContext) {
  const { db, now, onOutbox } = ctx;

  /** Writes a version and the outbox row that asks for its machine review. */
  function* insertVersion(postId: string, version: number, v: NewVersion, date: string): Program<number> {
    const [row] = yield* allOf(db, INSERT_VERSION, {
      postId,
      version,
      title: v.title ?? null,
      body: v.body,
      platform: v.platform ?? null,
      publishDate: date,
      contentHash: contentHash({ ...v, date }),
    });
    yield* runOf(db, INSERT_REVIEW_OUTBOX, { versionId: row!.id });
    return row!.id;
  }

  return {
    /**
     * `idem`: the request's Idempotency-Key; a repeat gets the first answer with `replayed: true`.
     * A retired account takes no new posts (409 naming `account`).
     */
    *submitPost(actor: Actor, input: NewPost, idem?: Idempotency): Program<Submitted> {
      if (actor.role !== 'editor' && actor.role !== 'admin') {
        throw new DomainError('forbidden', `role ${actor.role} may not submit posts`, undefined, '只有编辑和管理员可以提交稿件');
      }
      if (idem) {
        const first = yield* replay$<Submitted>(db, actor.id, idem, now());
        if (first) return { ...first, replayed: true };
      }
      const date = checkDate(input.date);
      const acc = yield* getOf(db, ACCOUNT_BY_NAME, { name: input.account });
      if (!acc) throw new DomainError('invalid', `unknown account: ${input.account}`, 'account', `账号「${input.account}」不存在`);
      if (actor.role === 'editor' && !actor.accountIds.includes(acc.id)) {
        throw new DomainError('forbidden', `you may not submit to account ${input.account}`, 'account', `你不负责账号「${input.account}」，不能向其提交稿件`);
      }
      if (acc.retiredAt) {
        throw new DomainError('conflict', `account ${acc.name} is retired and takes no new posts`, 'account', `账号「${acc.name}」已停用，不再接收新稿件`);
      }
      const id = randomUUID();
      const at = now().toISOString();
      yield* runOf(db, INSERT_POST, { id, accountId: acc.id, authorId: actor.id, at });
      const versionId = yield* insertVersion(id, 1, { ...input, platform: input.platform ?? acc.platform }, date);
      yield* setStatus$(ctx, { id, accountId: acc.id, status: null, currentVersion: 1 }, 'submitted', actor.id);
      yield* appendAudit$(db, { actorId: actor.id, action: 'post.submit', entityType: 'post', entityId: id, data: { version: 1, versionId, account: acc.name, to: 'submitted' } }, now());
      yield* afterCommit(onOutbox);
      const answer: Submitted = { id, status: 'submitted', version: 1 };
      if (idem) yield* remember$(db, actor.id, idem, answer, now());
      return answer;
    },

    /**
     * A new version of an existing post. Allowed for a post of a retired
     * account too: retiring stops new posts, not work in flight, so a post
     * sent back for changes can still be fixed, reviewed and published.
     */
    *resubmitPost(actor: Actor, postId: string, input: NewVersion, idem?: Idempotency): Program<Submitted> {
      const date = checkDate(input.date);
      const post = yield* loadPost$(db, actor, postId);
      if (idem) {
        const first = yield* replay$<Submitted>(db, actor.id, idem, now());
        if (first) return { ...first, replayed: true };
      }
      if (post.authorId !== actor.id && actor.role !== 'admin') {
        throw new DomainError('forbidden', 'only the author may submit a new version', undefined, '只有稿件作者可以提交新版本');
      }
      const to = move(actor, post, { type: 'resubmit' });
      const version = post.currentVersion + 1;
      // Approvals are of a version: a new version voids every open task.
      yield* run(
        db
          .update(reviewTasks)
          .set({ state: 'void', claimedBy: null, leaseExpiresAt: null, updatedAt: now().toISOString() })
          .where(and(eq(reviewTasks.postId, postId), eq(reviewTasks.state, 'open'))),
      );
      const acc = (yield* get(db.select().from(accounts).where(eq(accounts.id, post.accountId))))!;
      const versionId = yield* insertVersion(postId, version, { ...input, platform: input.platform ?? acc.platform }, date);
      yield* setStatus$(ctx, post, to, actor.id, { currentVersion: version });
      yield* appendAudit$(db, { actorId: actor.id, action: 'post.resubmit', entityType: 'post', entityId: postId, data: { from: post.status, to, version, versionId } }, now());
      yield* afterCommit(onOutbox);
      const answer: Submitted = { id: postId, status: to, version };
      if (idem) yield* remember$(db, actor.id, idem, answer, now());
      return answer;
    },

    *getPost(actor: Actor, postId: string): Program<PostView> {
      const post = yield* loadPost$(db, actor, postId);
      const acc = (yield* get(db.select().from(accounts).where(eq(accounts.id, post.accountId))))!;
      const version = yield* currentVersion$(db, post);
      const mr = yield* get(db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)));
      const versionNumbers = new Map((yield* all(db.select({ id: postVersions.id, version: postVersions.version }).from(postVersions).where(eq(postVersions.postId, postId)))).map((r) => [r.id, r.version]));
      const reviews: DecisionView[] = (
        yield* all(
          db
            .select({ d: decisions, reviewerName: users.name })
            .from(decisions)
            .innerJoin(users, eq(users.id, decisions.reviewerId))
            .where(eq(decisions.postId, postId))
            .orderBy(asc(decisions.id)),
        )
      ).map(({ d, reviewerName }) => ({
        id: d.id,
        taskId: d.taskId,
        version: versionNumbers.get(d.versionId)!,
        reviewerId: d.reviewerId,
        reviewerName,
        decision: d.decision,
        reason: d.reason,
        createdAt: d.createdAt,
      }));
      const overrides = (
        yield* all(
          db
            .select({ data: auditLog.data, actorId: auditLog.actorId, actorName: users.name, at: auditLog.at })
            .from(auditLog)
            .leftJoin(users, eq(users.id, auditLog.actorId))
            .where(and(eq(auditLog.action, 'post.override_block'), eq(auditLog.entityType, 'post'), eq(auditLog.entityId, postId)))
            .orderBy(asc(auditLog.seq)),
        )
      ).map((o) => {
        const data = JSON.parse(o.data) as { version: number; reason: string };
        return { version: data.version, actorId: o.actorId, actorName: o.actorName, reason: data.reason, at: o.at };
      });
      const pubs = yield* all(db.select().from(publications).where(eq(publications.postId, postId)).orderBy(asc(publications.id)));
      const tasks = yield* taskViews$(db, now, yield* all(db.select().from(reviewTasks).where(eq(reviewTasks.postId, postId)).orderBy(asc(reviewTasks.id))));
      return {
        id: post.id,
        status: post.status,
        account: acc.name,
        authorId: post.authorId,
        version: post.currentVersion,
        title: version.title,
        body: version.body,
        platform: version.platform,
        date: version.publishDate,
        createdAt: post.createdAt,
        updatedAt: post.updatedAt,
        machineReview: mr
          ? {
              verdict: mr.verdict,
              categories: mr.categories as Category[],
              findings: mr.findings as Hit[],
              classifier: (mr.classifier as ClassifierResult | null) ?? null,
              rulesVersion: mr.rulesVersion,
              modelVersion: mr.modelVersion,
              rulesOnly: mr.classifier == null && mr.modelVersion == null,
              classifierSkipped: mr.classifierSkipped ?? null,
              modelFinding: (mr.modelFinding as ModelFinding | null) ?? null,
              reviewedAt: mr.createdAt,
            }
          : null,
        tasks,
        reviews,
        overrides,
        publications: pubs.map((p) => ({ id: p.id, version: versionNumbers.get(p.versionId)!, platform: p.platform, url: p.url, publishedAt: p.publishedAt })),
      };
    },

    /** Posts of the editor's accounts (all posts for other roles), newest first. */
    *listPosts(actor: Actor, limit = 100): Program<PostSummary[]> {
      const scope = accountScope(actor);
      const fields = {
        id: sql<string>`p.id`,
        status: sql<PostStatus>`p.status`,
        account: sql<string>`a.name`,
        version: sql<number>`p.current_version`,
        title: sql<string | null>`v.title`,
        excerpt: sql<string>`substr(v.body, 1, 80)`,
        verdict: sql<PostSummary['verdict']>`mr.verdict`,
        categories: sql<string>`COALESCE(mr.categories, '[]')`,
        overridden: sql<number>`EXISTS (SELECT 1 FROM audit_log o WHERE o.action = 'post.override_block' AND o.entity_type = 'post' AND o.entity_id = p.id AND json_extract(o.data, '$.version') = p.current_version)`,
        updatedAt: sql<string>`p.updated_at`,
      };
      const summaries = yield* rows(
        fields,
        db
          .select(fields)
          .from(
            sql`posts p JOIN accounts a ON a.id = p.account_id
         JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version
         LEFT JOIN machine_reviews mr ON mr.version_id = v.id`,
          )
          .where(scope === null ? undefined : scope.length ? sql`p.account_id IN ${scope}` : sql`p.account_id IN (NULL)`)
          .orderBy(sql`p.updated_at DESC`)
          .limit(limit),
      );
      return summaries.map((row) => ({ ...row, overridden: !!row.overridden, categories: JSON.parse(row.categories) as string[] }));
    },

    /** Character-level differences between two versions of a post. */
    *versionDiff(actor: Actor, postId: string, fromVersion: number, toVersion: number): Program<VersionDiff> {
      const post = yield* loadPost$(db, actor, postId);
      function* load(n: number) {
        const v = yield* get(db.select().from(postVersions).where(and(eq(postVersions.postId, post.id), eq(postVersions.version, n))));
        if (!v) throw new DomainError('invalid', `post ${postId} has no version ${n}`, n === fromVersion ? 'from' : 'to');
        return v;
      }
      const a = yield* load(fromVersion);
      const b = yield* load(toVersion);
      return { from: fromVersion, to: toVersion, title: textDiff(a.title ?? '', b.title ?? ''), body: textDiff(a.body, b.body) };
    },
  };
}
