/**
 * The SQLite implementation of the Store: every operation is one immediate
 * transaction that asks the pure lifecycle (review/transitions.ts) what may
 * happen, writes the change and its audit entry, or writes nothing.
 */
import { randomUUID, createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  accounts,
  decisions,
  machineReviews,
  outbox,
  postVersions,
  posts,
  publications,
  reviewTasks,
  userAccounts,
  users,
} from '../db/schema.js';
import { appendAudit } from '../audit/log.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { mayAct, transition, type EventType, type PostEvent, type PostStatus, type Role } from '../review/transitions.js';
import { routeReview } from '../review/routing.js';
import type { Category, ClassifierResult, Hit, MachineReviewResult, ReviewInput } from '../review/types.js';
import { today, isValidDate } from '../review/dates.js';
import { DomainError } from './errors.js';
import type {
  Actor,
  Decision,
  DecisionView,
  MachineReviewSink,
  NewPost,
  NewVersion,
  PostView,
  Store,
  TaskQuery,
  TaskView,
} from './types.js';

/** How long a claim holds a task for its reviewer. */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface SqliteStoreOptions {
  leaseMs?: number;
  /** Clock, injectable for tests of leases. */
  now?: () => Date;
  /** Told after a transaction wrote new outbox rows, so a dispatcher can run at once. */
  onOutbox?: () => void;
}

function contentHash(v: { title?: string | null; body: string; platform?: string | null; date: string }): string {
  return createHash('sha256').update(JSON.stringify([v.title ?? null, v.body, v.platform ?? null, v.date])).digest('hex');
}

export class SqliteStore implements Store, MachineReviewSink {
  private readonly leaseMs: number;
  private readonly now: () => Date;
  private readonly onOutbox: () => void;

  constructor(
    readonly db: Db,
    opts: SqliteStoreOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = opts.now ?? (() => new Date());
    this.onOutbox = opts.onOutbox ?? (() => {});
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it is written, or none. */
  private tx<T>(fn: (tx: Tx) => T): T {
    return this.db.transaction(fn, { behavior: 'immediate' });
  }

  // ---- users -------------------------------------------------------------

  /** Creates a user and returns the only copy of their token. */
  addUser(input: { name: string; role: Role; accounts?: string[] }, actorId: number | null = null): { id: number; token: string } {
    const token = newToken();
    return this.tx((tx) => {
      const accountIds = (input.accounts ?? []).map((name) => {
        const acc = tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.name, name)).get();
        if (!acc) throw new DomainError('invalid', `unknown account: ${name}`, 'account');
        return acc.id;
      });
      const [u] = tx.insert(users).values({ name: input.name, role: input.role, tokenHash: hashToken(token) }).returning().all();
      for (const accountId of accountIds) tx.insert(userAccounts).values({ userId: u!.id, accountId }).run();
      appendAudit(tx, { actorId, action: 'user.add', entityType: 'user', entityId: String(u!.id), data: { name: input.name, role: input.role, accounts: input.accounts ?? [] } }, this.now());
      return { id: u!.id, token };
    });
  }

  async authenticate(token: string): Promise<Actor | null> {
    const u = this.db.select().from(users).where(eq(users.tokenHash, hashToken(token))).get();
    if (!u || u.disabled) return null;
    const accs = this.db.select({ id: userAccounts.accountId }).from(userAccounts).where(eq(userAccounts.userId, u.id)).all();
    return { id: u.id, name: u.name, role: u.role, accountIds: accs.map((a) => a.id) };
  }

  // ---- posts -------------------------------------------------------------

  private checkDate(date: string | undefined): string {
    const d = date ?? today();
    if (!isValidDate(d)) throw new DomainError('invalid', 'date must be a calendar day YYYY-MM-DD', 'date');
    return d;
  }

  private insertVersion(tx: Tx, postId: string, version: number, v: NewVersion, date: string): number {
    const [row] = tx
      .insert(postVersions)
      .values({
        postId,
        version,
        title: v.title ?? null,
        body: v.body,
        platform: v.platform ?? null,
        publishDate: date,
        contentHash: contentHash({ ...v, date }),
      })
      .returning({ id: postVersions.id })
      .all();
    tx.insert(outbox).values({ kind: 'machine_review', versionId: row!.id }).onConflictDoNothing().run();
    return row!.id;
  }

  async submitPost(actor: Actor, input: NewPost) {
    if (actor.role !== 'editor' && actor.role !== 'admin') {
      throw new DomainError('forbidden', `role ${actor.role} may not submit posts`);
    }
    const date = this.checkDate(input.date);
    const result = this.tx((tx) => {
      const acc = tx.select().from(accounts).where(eq(accounts.name, input.account)).get();
      if (!acc) throw new DomainError('invalid', `unknown account: ${input.account}`, 'account');
      if (actor.role === 'editor' && !actor.accountIds.includes(acc.id)) {
        throw new DomainError('forbidden', `you may not submit to account ${input.account}`, 'account');
      }
      const id = randomUUID();
      const at = this.now().toISOString();
      tx.insert(posts).values({ id, accountId: acc.id, authorId: actor.id, status: 'submitted', currentVersion: 1, createdAt: at, updatedAt: at }).run();
      const versionId = this.insertVersion(tx, id, 1, { ...input, platform: input.platform ?? acc.platform }, date);
      appendAudit(tx, { actorId: actor.id, action: 'post.submit', entityType: 'post', entityId: id, data: { version: 1, versionId, account: acc.name, to: 'submitted' } }, this.now());
      return { id, status: 'submitted' as PostStatus, version: 1 };
    });
    this.onOutbox();
    return result;
  }

  async resubmitPost(actor: Actor, postId: string, input: NewVersion) {
    const date = this.checkDate(input.date);
    const result = this.tx((tx) => {
      const post = this.loadPost(tx, actor, postId);
      if (post.authorId !== actor.id && actor.role !== 'admin') {
        throw new DomainError('forbidden', 'only the author may submit a new version');
      }
      const to = this.move(actor, post, { type: 'resubmit' });
      const version = post.currentVersion + 1;
      // Approvals are of a version: a new version voids every open task.
      tx.update(reviewTasks)
        .set({ state: 'void', claimedBy: null, leaseExpiresAt: null, updatedAt: this.now().toISOString() })
        .where(and(eq(reviewTasks.postId, postId), eq(reviewTasks.state, 'open')))
        .run();
      const acc = tx.select().from(accounts).where(eq(accounts.id, post.accountId)).get()!;
      const versionId = this.insertVersion(tx, postId, version, { ...input, platform: input.platform ?? acc.platform }, date);
      tx.update(posts).set({ status: to, currentVersion: version, updatedAt: this.now().toISOString() }).where(eq(posts.id, postId)).run();
      appendAudit(tx, { actorId: actor.id, action: 'post.resubmit', entityType: 'post', entityId: postId, data: { from: post.status, to, version, versionId } }, this.now());
      return { id: postId, status: to, version };
    });
    this.onOutbox();
    return result;
  }

  private loadPost(tx: Tx | Db, actor: Actor | null, postId: string) {
    const post = tx.select().from(posts).where(eq(posts.id, postId)).get();
    if (!post) throw new DomainError('not_found', `no post ${postId}`);
    if (actor && actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) {
      // Editors see only their accounts' posts; say "not found" rather than leak existence.
      throw new DomainError('not_found', `no post ${postId}`);
    }
    return post;
  }

  /** Asks the lifecycle for permission and the next status, or throws the reason. */
  private move(actor: Actor | null, post: { status: PostStatus; authorId: number }, event: PostEvent): PostStatus {
    if (actor) {
      const perm = mayAct(actor, event.type, post.authorId);
      if (!perm.ok) throw new DomainError('forbidden', perm.message);
    }
    const t = transition(post.status, event);
    if (!t.ok) throw new DomainError(t.code === 'invalid' ? 'invalid' : 'conflict', t.message, t.code === 'invalid' ? 'reason' : undefined);
    return t.to;
  }

  async getPost(actor: Actor, postId: string): Promise<PostView> {
    const post = this.loadPost(this.db, actor, postId);
    const acc = this.db.select().from(accounts).where(eq(accounts.id, post.accountId)).get()!;
    const version = this.db
      .select()
      .from(postVersions)
      .where(and(eq(postVersions.postId, postId), eq(postVersions.version, post.currentVersion)))
      .get()!;
    const mr = this.db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)).get();
    const versionNumbers = new Map(
      this.db.select({ id: postVersions.id, version: postVersions.version }).from(postVersions).where(eq(postVersions.postId, postId)).all().map((r) => [r.id, r.version]),
    );
    const reviews: DecisionView[] = this.db
      .select({ d: decisions, reviewerName: users.name })
      .from(decisions)
      .innerJoin(users, eq(users.id, decisions.reviewerId))
      .where(eq(decisions.postId, postId))
      .orderBy(asc(decisions.id))
      .all()
      .map(({ d, reviewerName }) => ({
        id: d.id,
        taskId: d.taskId,
        version: versionNumbers.get(d.versionId)!,
        reviewerId: d.reviewerId,
        reviewerName,
        decision: d.decision,
        reason: d.reason,
        createdAt: d.createdAt,
      }));
    const pubs = this.db.select().from(publications).where(eq(publications.postId, postId)).orderBy(asc(publications.id)).all();
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
            reviewedAt: mr.createdAt,
          }
        : null,
      tasks: this.taskViews(this.db.select().from(reviewTasks).where(eq(reviewTasks.postId, postId)).orderBy(asc(reviewTasks.id)).all()),
      reviews,
      publications: pubs.map((p) => ({ id: p.id, version: versionNumbers.get(p.versionId)!, platform: p.platform, url: p.url, publishedAt: p.publishedAt })),
    };
  }

  // ---- review tasks ------------------------------------------------------

  private taskViews(rows: Array<typeof reviewTasks.$inferSelect>, tx: Tx | Db = this.db): TaskView[] {
    if (rows.length === 0) return [];
    const versionIds = rows.map((r) => r.versionId);
    const approvals = new Map(
      tx
        .select({ versionId: decisions.versionId, n: sql<number>`count(distinct ${decisions.reviewerId})` })
        .from(decisions)
        .where(and(inArray(decisions.versionId, versionIds), eq(decisions.decision, 'approve')))
        .groupBy(decisions.versionId)
        .all()
        .map((r) => [r.versionId, r.n]),
    );
    const versions = new Map(
      tx.select({ id: postVersions.id, version: postVersions.version }).from(postVersions).where(inArray(postVersions.id, versionIds)).all().map((r) => [r.id, r.version]),
    );
    const now = this.now().toISOString();
    return rows.map((r) => {
      const held = r.state === 'open' && r.claimedBy != null && r.leaseExpiresAt != null && r.leaseExpiresAt > now;
      return {
        id: r.id,
        postId: r.postId,
        versionId: r.versionId,
        version: versions.get(r.versionId)!,
        state: held ? 'claimed' : r.state,
        requiredApprovals: r.requiredApprovals,
        approvals: approvals.get(r.versionId) ?? 0,
        assignedRole: r.assignedRole,
        riskScore: r.riskScore,
        claimedBy: held ? r.claimedBy : null,
        leaseExpiresAt: held ? r.leaseExpiresAt : null,
        createdAt: r.createdAt,
      };
    });
  }

  async listTasks(actor: Actor, q: TaskQuery): Promise<TaskView[]> {
    if (actor.role === 'editor') {
      // Editors follow their own accounts' posts.
      if (actor.accountIds.length === 0) return [];
    }
    const now = this.now().toISOString();
    const conds = [];
    if (q.postId) conds.push(eq(reviewTasks.postId, q.postId));
    if (q.state === 'done' || q.state === 'void') conds.push(eq(reviewTasks.state, q.state));
    if (q.state === 'open') {
      conds.push(eq(reviewTasks.state, 'open'));
      conds.push(sql`(${reviewTasks.claimedBy} IS NULL OR ${reviewTasks.leaseExpiresAt} <= ${now})`);
    }
    if (q.state === 'claimed') {
      conds.push(eq(reviewTasks.state, 'open'));
      conds.push(sql`(${reviewTasks.claimedBy} IS NOT NULL AND ${reviewTasks.leaseExpiresAt} > ${now})`);
    }
    if (actor.role === 'editor') {
      conds.push(inArray(posts.accountId, actor.accountIds));
    }
    const rows = this.db
      .select({ t: reviewTasks })
      .from(reviewTasks)
      .innerJoin(posts, eq(posts.id, reviewTasks.postId))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(reviewTasks.riskScore), asc(reviewTasks.id))
      .limit(q.limit)
      .all()
      .map((r) => r.t);
    return this.taskViews(rows);
  }

  private loadTask(tx: Tx, taskId: number) {
    const task = tx.select().from(reviewTasks).where(eq(reviewTasks.id, taskId)).get();
    if (!task) throw new DomainError('not_found', `no review task ${taskId}`);
    return task;
  }

  private checkTaskAccess(actor: Actor, task: typeof reviewTasks.$inferSelect, authorId: number, event: EventType) {
    const perm = mayAct(actor, event, authorId);
    if (!perm.ok) throw new DomainError('forbidden', perm.message);
    if (task.assignedRole === 'compliance' && actor.role !== 'compliance') {
      throw new DomainError('forbidden', 'this task was escalated to compliance');
    }
    if (task.state !== 'open') throw new DomainError('conflict', `task ${task.id} is ${task.state}`);
    const now = this.now().toISOString();
    if (task.claimedBy != null && task.claimedBy !== actor.id && task.leaseExpiresAt != null && task.leaseExpiresAt > now) {
      throw new DomainError('conflict', `task ${task.id} is claimed by someone else until ${task.leaseExpiresAt}`);
    }
  }

  async claimTask(actor: Actor, taskId: number): Promise<TaskView> {
    return this.tx((tx) => {
      const task = this.loadTask(tx, taskId);
      const post = this.loadPost(tx, null, task.postId);
      this.checkTaskAccess(actor, task, post.authorId, 'approve');
      const already = tx
        .select({ id: decisions.id })
        .from(decisions)
        .where(and(eq(decisions.versionId, task.versionId), eq(decisions.reviewerId, actor.id), eq(decisions.decision, 'approve')))
        .get();
      if (already) throw new DomainError('conflict', 'you already approved this version; a second approval must come from another reviewer');
      const lease = new Date(this.now().getTime() + this.leaseMs).toISOString();
      tx.update(reviewTasks).set({ claimedBy: actor.id, leaseExpiresAt: lease, updatedAt: this.now().toISOString() }).where(eq(reviewTasks.id, taskId)).run();
      appendAudit(tx, { actorId: actor.id, action: 'task.claim', entityType: 'task', entityId: String(taskId), data: { postId: task.postId, leaseExpiresAt: lease } }, this.now());
      return this.taskViews([this.loadTask(tx, taskId)], tx)[0]!;
    });
  }

  async decide(actor: Actor, taskId: number, d: Decision) {
    return this.tx((tx) => {
      const task = this.loadTask(tx, taskId);
      const post = this.loadPost(tx, null, task.postId);
      this.checkTaskAccess(actor, task, post.authorId, d.decision);
      const current = tx.select().from(postVersions).where(and(eq(postVersions.postId, post.id), eq(postVersions.version, post.currentVersion))).get()!;
      if (current.id !== task.versionId) throw new DomainError('conflict', 'this task is for an older version of the post');
      const reason = d.reason?.trim() ?? '';
      let event: PostEvent;
      if (d.decision === 'approve') {
        const prior = tx
          .select({ reviewerId: decisions.reviewerId })
          .from(decisions)
          .where(and(eq(decisions.versionId, task.versionId), eq(decisions.decision, 'approve')))
          .all();
        if (prior.some((p) => p.reviewerId === actor.id)) {
          throw new DomainError('conflict', 'you already approved this version; a second approval must come from another reviewer');
        }
        event = { type: 'approve', approvals: new Set(prior.map((p) => p.reviewerId)).size + 1, required: task.requiredApprovals };
      } else {
        event = { type: d.decision, reason };
      }
      const to = this.move(actor, post, event);
      tx.insert(decisions).values({ taskId, postId: post.id, versionId: task.versionId, reviewerId: actor.id, decision: d.decision, reason: reason || null }).run();
      const at = this.now().toISOString();
      const taskDone = d.decision === 'reject' || d.decision === 'request_changes' || (d.decision === 'approve' && to === 'approved');
      tx.update(reviewTasks)
        .set({
          state: taskDone ? 'done' : 'open',
          // A partial approval or an escalation hands the task on: the claim ends.
          claimedBy: null,
          leaseExpiresAt: null,
          assignedRole: d.decision === 'escalate' ? 'compliance' : task.assignedRole,
          updatedAt: at,
        })
        .where(eq(reviewTasks.id, taskId))
        .run();
      tx.update(posts).set({ status: to, updatedAt: at }).where(eq(posts.id, post.id)).run();
      appendAudit(tx, { actorId: actor.id, action: `task.${d.decision}`, entityType: 'post', entityId: post.id, data: { taskId, version: post.currentVersion, from: post.status, to, reason: reason || null } }, this.now());
      return { task: this.taskViews([this.loadTask(tx, taskId)], tx)[0]!, status: to };
    });
  }

  async publish(actor: Actor, postId: string, target: { platform?: string; url?: string }) {
    return this.tx((tx) => {
      const post = this.loadPost(tx, actor, postId);
      if (actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) {
        throw new DomainError('forbidden', 'you may not publish for this account');
      }
      const to = this.move(actor, post, { type: 'publish' });
      const version = tx.select().from(postVersions).where(and(eq(postVersions.postId, postId), eq(postVersions.version, post.currentVersion))).get()!;
      const [pub] = tx
        .insert(publications)
        .values({ postId, versionId: version.id, publishedBy: actor.id, platform: target.platform ?? version.platform, url: target.url ?? null, publishedAt: this.now().toISOString() })
        .returning({ id: publications.id })
        .all();
      tx.update(posts).set({ status: to, updatedAt: this.now().toISOString() }).where(eq(posts.id, postId)).run();
      appendAudit(tx, { actorId: actor.id, action: 'post.publish', entityType: 'post', entityId: postId, data: { from: post.status, to, version: post.currentVersion, publicationId: pub!.id } }, this.now());
      return { id: postId, status: to, publicationId: pub!.id };
    });
  }

  // ---- machine review ----------------------------------------------------

  /** The content a machine-review job works on. */
  reviewInput(versionId: number): ReviewInput | null {
    const v = this.db
      .select({ v: postVersions, account: accounts.name })
      .from(postVersions)
      .innerJoin(posts, eq(posts.id, postVersions.postId))
      .innerJoin(accounts, eq(accounts.id, posts.accountId))
      .where(eq(postVersions.id, versionId))
      .get();
    if (!v) return null;
    return {
      id: v.v.postId,
      ...(v.v.title != null ? { title: v.v.title } : {}),
      body: v.v.body,
      ...(v.v.platform != null ? { platform: v.v.platform } : {}),
      account: v.account,
      date: v.v.publishDate,
    };
  }

  /**
   * Records a machine review and routes the post. Idempotent: a second result
   * for the same version (a retried or duplicated job) changes nothing. A result
   * for a superseded version is kept for the record but moves nothing.
   */
  applyMachineReview(versionId: number, result: MachineReviewResult, durationMs?: number): void {
    this.tx((tx) => {
      const inserted = tx
        .insert(machineReviews)
        .values({
          versionId,
          verdict: result.verdict,
          categories: result.categories,
          findings: result.hits,
          classifier: result.classifier,
          rulesVersion: result.rulesVersion,
          modelVersion: result.modelVersion,
          durationMs: durationMs != null ? Math.round(durationMs) : null,
        })
        .onConflictDoNothing()
        .returning({ id: machineReviews.id })
        .all();
      tx.update(outbox).set({ state: 'done', lastError: null }).where(and(eq(outbox.kind, 'machine_review'), eq(outbox.versionId, versionId))).run();
      if (inserted.length === 0) return;
      const version = tx.select().from(postVersions).where(eq(postVersions.id, versionId)).get();
      if (!version) throw new Error(`version ${versionId} vanished`);
      const post = tx.select().from(posts).where(eq(posts.id, version.postId)).get()!;
      if (post.currentVersion !== version.version || post.status !== 'submitted') return;
      const to = this.move(null, post, { type: 'machine_reviewed', verdict: result.verdict });
      const at = this.now().toISOString();
      if (to === 'pending_review') {
        const routing = routeReview(result);
        tx.insert(reviewTasks)
          .values({ postId: post.id, versionId, requiredApprovals: routing.requiredApprovals, assignedRole: routing.assignedRole, riskScore: routing.riskScore, createdAt: at, updatedAt: at })
          .onConflictDoNothing()
          .run();
      }
      tx.update(posts).set({ status: to, updatedAt: at }).where(eq(posts.id, post.id)).run();
      appendAudit(tx, {
        actorId: null,
        action: 'post.machine_review',
        entityType: 'post',
        entityId: post.id,
        data: { version: version.version, verdict: result.verdict, categories: result.categories, rulesVersion: result.rulesVersion, modelVersion: result.modelVersion, from: post.status, to },
      }, this.now());
    });
  }
}
