/**
 * The store's logic, once, as programs (src/store/program.ts): every operation
 * asks the pure lifecycle (review/transitions.ts) what may happen, writes the
 * change and its audit entry, or writes nothing. SqliteStore runs these
 * programs synchronously on better-sqlite3, one IMMEDIATE transaction per
 * write; AsyncStore (src/store/async.ts) runs them on an async drizzle driver.
 */
import { randomUUID, createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
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
  findingMarks,
  reasonTemplates,
  webhooks,
  accountSettings,
  schedules,
  citations,
  cleanupTasks,
  policies,
  freshnessAlerts,
  settings,
} from '../db/schema.js';
import { EMPTY_OVERLAY, type RulesOverlay } from '../rules/overlay.js';
import { DEFAULT_VERDICT_POLICY, withClassifierThresholds, type ClassifierThresholds, type VerdictPolicy } from '../review/verdict.js';
import { insideWindow, isValidTimeOfDay } from '../publish/window.js';
import { ManualPublisher, publishKey, WebhookPublisher, type Publisher } from '../publish/publisher.js';
import { PolicyIndex, patchPolicy$, upsertPolicy$, type PolicyInput, type PolicyPatch } from '../policy/registry.js';
import { parseDocNo } from '../policy/citations.js';
import { daysBetween, freshnessLevel, type Freshness } from '../accounts/freshness.js';
import { textDiff } from '../posts/diff.js';
import { appendAudit$ } from '../audit/log.js';
import { enqueueEvent$, newWebhookSecret } from '../webhooks/delivery.js';
import { hashToken, newToken } from '../users/tokens.js';
import { requireCompliance } from '../users/roles.js';
import { mayAct, transition, type EventType, type PostEvent, type PostStatus, type Role } from '../review/transitions.js';
import { routeReview } from '../review/routing.js';
import type { Category, ClassifierResult, Hit, MachineReviewResult, ReviewInput } from '../review/types.js';
import { today, isValidDate, TIME_ZONE, isoToDay } from '../review/dates.js';
import { DomainError } from './errors.js';
import { afterCommit, all, get, rows, run, type Program, type StoreDb } from './program.js';
import type { Actor, Decision, DecisionView, NewPost, NewVersion, PostSummary, PostView, QueueCounts, QueueFilter, QueueItem, ReasonTemplate, RuleStat, VersionDiff, TaskQuery, TaskView } from './types.js';

/** How long a claim holds a task for its reviewer. */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;

export interface StoreOptions {
  leaseMs?: number;
  /** Clock, injectable for tests of leases. */
  now?: () => Date;
  /** Told after a transaction wrote new outbox rows, so a dispatcher can run at once. */
  onOutbox?: () => void;
  /** Told after a transaction queued webhook deliveries. */
  onWebhook?: () => void;
  /** Classifier thresholds from configuration, over the shipped defaults. */
  thresholds?: ThresholdOverrides;
  /** The compliance API's rules, sent with every job (rules/overlay.ts). */
  rulesOverlay?: () => RulesOverlay;
}

/**
 * How the few operations that are not one program (publishing waits for the
 * account's publisher between a read and a write) run their programs: 'read'
 * outside a transaction, 'write' as one transaction where the driver has them.
 */
export type Runner = <T>(program: Program<T>, mode: 'read' | 'write') => T | Promise<T>;

/** Why `at` falls outside the account's publish window, or null (also when it has none). */
function outsideWindow(settings: { windowStart: string | null; windowEnd: string | null; windowDays: string | null } | undefined, at: Date): string | null {
  if (!settings?.windowStart || !settings.windowEnd) return null;
  const days = settings.windowDays ? [...settings.windowDays].map(Number) : [];
  if (insideWindow({ start: settings.windowStart, end: settings.windowEnd, days }, at, TIME_ZONE)) return null;
  return `outside the account's publish window (${settings.windowStart}–${settings.windowEnd}${days.length ? `, weekdays ${days.join('')}` : ''}, ${TIME_ZONE})`;
}

export type ThresholdOverrides = Record<string, Partial<ClassifierThresholds>>;
const THRESHOLDS_KEY = 'classifier.thresholds';
/** Published posts read per query when scanning the archive. */
const ARCHIVE_PAGE = 500;

function contentHash(v: { title?: string | null; body: string; platform?: string | null; date: string }): string {
  return createHash('sha256').update(JSON.stringify([v.title ?? null, v.body, v.platform ?? null, v.date])).digest('hex');
}

type PostRow = typeof posts.$inferSelect;
type TaskRow = typeof reviewTasks.$inferSelect;

/**
 * The store operations. Public generator methods are programs (run them with
 * runSync/runAsync); `publish` and `publishDue` are async and run their
 * programs through the Runner given to the constructor.
 */
export class StorePrograms {
  private readonly leaseMs: number;
  private readonly now: () => Date;
  private readonly onOutbox: () => void;
  private readonly onWebhook: () => void;
  private readonly configPolicy: VerdictPolicy;
  /** The rules overlay jobs carry (empty unless the compliance API changed rules). */
  readonly rulesOverlay: () => RulesOverlay;
  /** Posts whose publisher call is under way (see publish). */
  private readonly publishing = new Set<string>();

  constructor(
    private readonly db: StoreDb,
    private readonly runner: Runner,
    opts: StoreOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = opts.now ?? (() => new Date());
    this.onOutbox = opts.onOutbox ?? (() => {});
    this.onWebhook = opts.onWebhook ?? (() => {});
    this.configPolicy = opts.thresholds ? withClassifierThresholds(opts.thresholds) : DEFAULT_VERDICT_POLICY;
    this.rulesOverlay = opts.rulesOverlay ?? (() => EMPTY_OVERLAY);
  }

  /**
   * Moves a post to `to` and announces it to webhooks, in the caller's
   * transaction; every status change goes through here.
   */
  private *setStatus(post: { id: string; accountId: number; status: PostStatus | null; currentVersion: number }, to: PostStatus, actorId: number | null, extra: Partial<typeof posts.$inferInsert> = {}): Program<void> {
    const db = this.db;
    const at = this.now().toISOString();
    yield* run(db.update(posts).set({ status: to, updatedAt: at, ...extra }).where(eq(posts.id, post.id)));
    const account = (yield* get(db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, post.accountId))))!;
    yield* enqueueEvent$(db, { event: 'post.status_changed', postId: post.id, account: account.name, accountId: post.accountId, version: extra.currentVersion ?? post.currentVersion, from: post.status, to, actorId, at });
    yield* afterCommit(this.onWebhook);
  }

  // ---- users -------------------------------------------------------------

  /** Creates a user and returns the only copy of their token. */
  *addUser(input: { name: string; role: Role; accounts?: string[] }, actorId: number | null = null): Program<{ id: number; token: string }> {
    const db = this.db;
    const token = newToken();
    const accountIds: number[] = [];
    for (const name of input.accounts ?? []) {
      const acc = yield* get(db.select({ id: accounts.id }).from(accounts).where(eq(accounts.name, name)));
      if (!acc) throw new DomainError('invalid', `unknown account: ${name}`, 'account');
      accountIds.push(acc.id);
    }
    const [u] = yield* all(db.insert(users).values({ name: input.name, role: input.role, tokenHash: hashToken(token) }).returning());
    for (const accountId of accountIds) yield* run(db.insert(userAccounts).values({ userId: u!.id, accountId }));
    yield* appendAudit$(db, { actorId, action: 'user.add', entityType: 'user', entityId: String(u!.id), data: { name: input.name, role: input.role, accounts: input.accounts ?? [] } }, this.now());
    return { id: u!.id, token };
  }

  *authenticate(token: string): Program<Actor | null> {
    const u = yield* get(this.db.select().from(users).where(eq(users.tokenHash, hashToken(token))));
    if (!u || u.disabled) return null;
    const accs = yield* all(this.db.select({ id: userAccounts.accountId }).from(userAccounts).where(eq(userAccounts.userId, u.id)));
    return { id: u.id, name: u.name, role: u.role, accountIds: accs.map((a) => a.id) };
  }

  // ---- posts -------------------------------------------------------------

  private checkDate(date: string | undefined): string {
    const d = date ?? today();
    if (!isValidDate(d)) throw new DomainError('invalid', 'date must be a calendar day YYYY-MM-DD', 'date');
    return d;
  }

  private *insertVersion(postId: string, version: number, v: NewVersion, date: string): Program<number> {
    const [row] = yield* all(
      this.db
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
        .returning({ id: postVersions.id }),
    );
    yield* run(this.db.insert(outbox).values({ kind: 'machine_review', versionId: row!.id }).onConflictDoNothing());
    return row!.id;
  }

  *submitPost(actor: Actor, input: NewPost): Program<{ id: string; status: PostStatus; version: number }> {
    if (actor.role !== 'editor' && actor.role !== 'admin') {
      throw new DomainError('forbidden', `role ${actor.role} may not submit posts`);
    }
    const date = this.checkDate(input.date);
    const db = this.db;
    const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, input.account)));
    if (!acc) throw new DomainError('invalid', `unknown account: ${input.account}`, 'account');
    if (actor.role === 'editor' && !actor.accountIds.includes(acc.id)) {
      throw new DomainError('forbidden', `you may not submit to account ${input.account}`, 'account');
    }
    const id = randomUUID();
    const at = this.now().toISOString();
    yield* run(db.insert(posts).values({ id, accountId: acc.id, authorId: actor.id, status: 'submitted', currentVersion: 1, createdAt: at, updatedAt: at }));
    const versionId = yield* this.insertVersion(id, 1, { ...input, platform: input.platform ?? acc.platform }, date);
    yield* this.setStatus({ id, accountId: acc.id, status: null, currentVersion: 1 }, 'submitted', actor.id);
    yield* appendAudit$(db, { actorId: actor.id, action: 'post.submit', entityType: 'post', entityId: id, data: { version: 1, versionId, account: acc.name, to: 'submitted' } }, this.now());
    yield* afterCommit(this.onOutbox);
    return { id, status: 'submitted' as PostStatus, version: 1 };
  }

  *resubmitPost(actor: Actor, postId: string, input: NewVersion): Program<{ id: string; status: PostStatus; version: number }> {
    const date = this.checkDate(input.date);
    const db = this.db;
    const post = yield* this.loadPost(actor, postId);
    if (post.authorId !== actor.id && actor.role !== 'admin') {
      throw new DomainError('forbidden', 'only the author may submit a new version');
    }
    const to = this.move(actor, post, { type: 'resubmit' });
    const version = post.currentVersion + 1;
    // Approvals are of a version: a new version voids every open task.
    yield* run(
      db
        .update(reviewTasks)
        .set({ state: 'void', claimedBy: null, leaseExpiresAt: null, updatedAt: this.now().toISOString() })
        .where(and(eq(reviewTasks.postId, postId), eq(reviewTasks.state, 'open'))),
    );
    const acc = (yield* get(db.select().from(accounts).where(eq(accounts.id, post.accountId))))!;
    const versionId = yield* this.insertVersion(postId, version, { ...input, platform: input.platform ?? acc.platform }, date);
    yield* this.setStatus(post, to, actor.id, { currentVersion: version });
    yield* appendAudit$(db, { actorId: actor.id, action: 'post.resubmit', entityType: 'post', entityId: postId, data: { from: post.status, to, version, versionId } }, this.now());
    yield* afterCommit(this.onOutbox);
    return { id: postId, status: to, version };
  }

  private *loadPost(actor: Actor | null, postId: string): Program<PostRow> {
    const post = yield* get(this.db.select().from(posts).where(eq(posts.id, postId)));
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

  private *currentVersion(post: { id: string; currentVersion: number }) {
    return (yield* get(this.db.select().from(postVersions).where(and(eq(postVersions.postId, post.id), eq(postVersions.version, post.currentVersion)))))!;
  }

  *getPost(actor: Actor, postId: string): Program<PostView> {
    const db = this.db;
    const post = yield* this.loadPost(actor, postId);
    const acc = (yield* get(db.select().from(accounts).where(eq(accounts.id, post.accountId))))!;
    const version = yield* this.currentVersion(post);
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
    const pubs = yield* all(db.select().from(publications).where(eq(publications.postId, postId)).orderBy(asc(publications.id)));
    const tasks = yield* this.taskViews(yield* all(db.select().from(reviewTasks).where(eq(reviewTasks.postId, postId)).orderBy(asc(reviewTasks.id))));
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
            reviewedAt: mr.createdAt,
          }
        : null,
      tasks,
      reviews,
      publications: pubs.map((p) => ({ id: p.id, version: versionNumbers.get(p.versionId)!, platform: p.platform, url: p.url, publishedAt: p.publishedAt })),
    };
  }

  // ---- review tasks ------------------------------------------------------

  private *taskViews(rows: TaskRow[]): Program<TaskView[]> {
    if (rows.length === 0) return [];
    const db = this.db;
    const versionIds = rows.map((r) => r.versionId);
    const approvals = new Map(
      (
        yield* all(
          db
            .select({ versionId: decisions.versionId, n: sql<number>`count(distinct ${decisions.reviewerId})` })
            .from(decisions)
            .where(and(inArray(decisions.versionId, versionIds), eq(decisions.decision, 'approve')))
            .groupBy(decisions.versionId),
        )
      ).map((r) => [r.versionId, r.n]),
    );
    const versions = new Map((yield* all(db.select({ id: postVersions.id, version: postVersions.version }).from(postVersions).where(inArray(postVersions.id, versionIds)))).map((r) => [r.id, r.version]));
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

  *listTasks(actor: Actor, q: TaskQuery): Program<TaskView[]> {
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
    const rows = (
      yield* all(
        this.db
          .select({ t: reviewTasks })
          .from(reviewTasks)
          .innerJoin(posts, eq(posts.id, reviewTasks.postId))
          .where(conds.length ? and(...conds) : undefined)
          .orderBy(desc(reviewTasks.riskScore), asc(reviewTasks.id))
          .limit(q.limit),
      )
    ).map((r) => r.t);
    return yield* this.taskViews(rows);
  }

  private *loadTask(taskId: number): Program<TaskRow> {
    const task = yield* get(this.db.select().from(reviewTasks).where(eq(reviewTasks.id, taskId)));
    if (!task) throw new DomainError('not_found', `no review task ${taskId}`);
    return task;
  }

  /** The view of one task, read again after a change. */
  private *taskView(taskId: number): Program<TaskView> {
    return (yield* this.taskViews([yield* this.loadTask(taskId)]))[0]!;
  }

  private checkTaskAccess(actor: Actor, task: TaskRow, authorId: number, event: EventType) {
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

  *getTask(actor: Actor, taskId: number): Program<TaskView> {
    const task = yield* this.loadTask(taskId);
    yield* this.loadPost(actor, task.postId);
    return (yield* this.taskViews([task]))[0]!;
  }

  *claimTask(actor: Actor, taskId: number): Program<TaskView> {
    const db = this.db;
    const task = yield* this.loadTask(taskId);
    const post = yield* this.loadPost(null, task.postId);
    this.checkTaskAccess(actor, task, post.authorId, 'approve');
    const already = yield* get(
      db
        .select({ id: decisions.id })
        .from(decisions)
        .where(and(eq(decisions.versionId, task.versionId), eq(decisions.reviewerId, actor.id), eq(decisions.decision, 'approve'))),
    );
    if (already) throw new DomainError('conflict', 'you already approved this version; a second approval must come from another reviewer');
    const lease = new Date(this.now().getTime() + this.leaseMs).toISOString();
    yield* run(db.update(reviewTasks).set({ claimedBy: actor.id, leaseExpiresAt: lease, updatedAt: this.now().toISOString() }).where(eq(reviewTasks.id, taskId)));
    yield* appendAudit$(db, { actorId: actor.id, action: 'task.claim', entityType: 'task', entityId: String(taskId), data: { postId: task.postId, leaseExpiresAt: lease } }, this.now());
    return yield* this.taskView(taskId);
  }

  *decide(actor: Actor, taskId: number, d: Decision): Program<{ task: TaskView; status: PostStatus }> {
    const db = this.db;
    const task = yield* this.loadTask(taskId);
    const post = yield* this.loadPost(null, task.postId);
    this.checkTaskAccess(actor, task, post.authorId, d.decision);
    const current = yield* this.currentVersion(post);
    if (current.id !== task.versionId) throw new DomainError('conflict', 'this task is for an older version of the post');
    const reason = d.reason?.trim() ?? '';
    let event: PostEvent;
    if (d.decision === 'approve') {
      const prior = yield* all(
        db
          .select({ reviewerId: decisions.reviewerId })
          .from(decisions)
          .where(and(eq(decisions.versionId, task.versionId), eq(decisions.decision, 'approve'))),
      );
      if (prior.some((p) => p.reviewerId === actor.id)) {
        throw new DomainError('conflict', 'you already approved this version; a second approval must come from another reviewer');
      }
      event = { type: 'approve', approvals: new Set(prior.map((p) => p.reviewerId)).size + 1, required: task.requiredApprovals };
    } else {
      event = { type: d.decision, reason };
    }
    const to = this.move(actor, post, event);
    yield* run(db.insert(decisions).values({ taskId, postId: post.id, versionId: task.versionId, reviewerId: actor.id, decision: d.decision, reason: reason || null }));
    const at = this.now().toISOString();
    const taskDone = d.decision === 'reject' || d.decision === 'request_changes' || (d.decision === 'approve' && to === 'approved');
    yield* run(
      db
        .update(reviewTasks)
        .set({
          state: taskDone ? 'done' : 'open',
          // A partial approval or an escalation hands the task on: the claim ends.
          claimedBy: null,
          leaseExpiresAt: null,
          assignedRole: d.decision === 'escalate' ? 'compliance' : task.assignedRole,
          updatedAt: at,
        })
        .where(eq(reviewTasks.id, taskId)),
    );
    yield* this.setStatus(post, to, actor.id);
    yield* appendAudit$(db, { actorId: actor.id, action: `task.${d.decision}`, entityType: 'post', entityId: post.id, data: { taskId, version: post.currentVersion, from: post.status, to, reason: reason || null } }, this.now());
    return { task: yield* this.taskView(taskId), status: to };
  }

  /**
   * Why publishing `post` now would break its account's rules (publish window,
   * embargo), or null. Overridable only with a stated reason.
   */
  private *timingProblem(accountId: number, postId: string, at: Date): Program<string | null> {
    const settings = yield* get(this.db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)));
    const schedule = yield* get(this.db.select().from(schedules).where(eq(schedules.postId, postId)));
    if (schedule?.embargoUntil && at.toISOString() < schedule.embargoUntil) return `embargoed until ${schedule.embargoUntil}`;
    return outsideWindow(settings, at);
  }

  private *publisherFor(accountId: number): Program<Publisher> {
    const settings = yield* get(this.db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)));
    if (settings?.publisher === 'webhook' && settings.publisherUrl) return new WebhookPublisher(settings.publisherUrl, settings.publisherSecret ?? '');
    return new ManualPublisher();
  }

  /** What publishing needs before the publisher is called: checks, the version and the publisher. */
  private *preparePublish(actor: Actor, postId: string, target: { overrideReason?: string }) {
    const post0 = yield* this.loadPost(actor, postId);
    if (actor.role === 'editor' && !actor.accountIds.includes(post0.accountId)) {
      throw new DomainError('forbidden', 'you may not publish for this account');
    }
    this.move(actor, post0, { type: 'publish' });
    const problem = yield* this.timingProblem(post0.accountId, postId, this.now());
    const override = target.overrideReason?.trim() ?? '';
    if (problem && !override) throw new DomainError('conflict', `${problem}; publishing now needs an override with a reason`, 'overrideReason');
    const version = yield* this.currentVersion(post0);
    const account = (yield* get(this.db.select().from(accounts).where(eq(accounts.id, post0.accountId))))!;
    const publisher = yield* this.publisherFor(post0.accountId);
    return { problem, override, version, account, publisher };
  }

  /**
   * Publishes the current, approved version through the account's publisher and
   * records one publication (platform, URL, time, exact version). Outside the
   * publish window or before an embargo it needs `overrideReason`.
   */
  async publish(actor: Actor, postId: string, target: { platform?: string; url?: string; overrideReason?: string }): Promise<{ id: string; status: PostStatus; publicationId: number; url: string | null }> {
    // One publication at a time per post in this process; across servers the publisher's idempotency key holds.
    if (this.publishing.has(postId)) throw new DomainError('conflict', 'this post is being published; wait for that to finish');
    this.publishing.add(postId);
    try {
      return await this.publishOnce(actor, postId, target);
    } finally {
      this.publishing.delete(postId);
    }
  }

  private async publishOnce(actor: Actor, postId: string, target: { platform?: string; url?: string; overrideReason?: string }): Promise<{ id: string; status: PostStatus; publicationId: number; url: string | null }> {
    const { problem, override, version, account, publisher } = await this.runner(this.preparePublish(actor, postId, target), 'read');
    const out = await publisher
      .publish({
        postId,
        version: version.version,
        idempotencyKey: publishKey(postId, version.version),
        account: account.name,
        platform: target.platform ?? version.platform,
        title: version.title,
        body: version.body,
        ...(target.url ? { url: target.url } : {}),
      })
      .catch((err: Error) => {
        throw new DomainError('upstream', `the account's publisher failed; nothing was published: ${err.message}`);
      });
    const db = this.db;
    const self = this;
    return this.runner(
      (function* () {
        const post = yield* self.loadPost(actor, postId);
        if (post.currentVersion !== version.version) throw new DomainError('conflict', 'a new version was submitted meanwhile');
        const to = self.move(actor, post, { type: 'publish' });
        const [pub] = yield* all(
          db
            .insert(publications)
            .values({ postId, versionId: version.id, accountId: post.accountId, publishedBy: actor.id, platform: out.platform, url: out.url, publishedAt: self.now().toISOString() })
            .returning({ id: publications.id }),
        );
        yield* run(db.delete(schedules).where(eq(schedules.postId, postId)));
        yield* self.setStatus(post, to, actor.id);
        yield* self.linkCitations(postId, version.id, version.title, version.body);
        yield* appendAudit$(db, { actorId: actor.id, action: 'post.publish', entityType: 'post', entityId: postId, data: { from: post.status, to, version: post.currentVersion, publicationId: pub!.id, url: out.url, ...(problem ? { override: override, problem } : {}) } }, self.now());
        return { id: postId, status: to, publicationId: pub!.id, url: out.url };
      })(),
      'write',
    );
  }

  /** Links a published version to the registry's policies it cites. */
  private *linkCitations(postId: string, versionId: number, title: string | null, body: string): Program<void> {
    const db = this.db;
    const text = title ? `${title}\n${body}` : body;
    yield* run(db.delete(citations).where(eq(citations.versionId, versionId)));
    for (const c of (yield* PolicyIndex.load$(db)).cited(text)) {
      yield* run(db.insert(citations).values({ postId, versionId, policyId: c.policy.id, kind: c.kind, start: c.start, end: c.end, text: c.text }).onConflictDoNothing());
    }
  }

  /** Schedules an approved post; a time outside the window or an embargo needs a reason. */
  *schedulePost(actor: Actor, postId: string, input: { publishAt: string; embargoUntil?: string; overrideReason?: string }): Program<{ id: string; status: PostStatus; publishAt: string }> {
    const publishAt = new Date(input.publishAt);
    if (Number.isNaN(publishAt.getTime())) throw new DomainError('invalid', 'publishAt must be an ISO date-time', 'publishAt');
    if (input.embargoUntil && Number.isNaN(Date.parse(input.embargoUntil))) throw new DomainError('invalid', 'embargoUntil must be an ISO date-time', 'embargoUntil');
    const db = this.db;
    const post = yield* this.loadPost(actor, postId);
    if (actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) throw new DomainError('forbidden', 'you may not schedule for this account');
    const to = this.move(actor, post, { type: 'schedule' });
    const embargo = input.embargoUntil ? new Date(input.embargoUntil).toISOString() : null;
    if (embargo && publishAt.toISOString() < embargo) throw new DomainError('invalid', 'publishAt is before the embargo', 'publishAt');
    const settings = yield* get(db.select().from(accountSettings).where(eq(accountSettings.accountId, post.accountId)));
    const override = input.overrideReason?.trim() ?? '';
    const outside = outsideWindow(settings, publishAt);
    if (outside && !override) throw new DomainError('conflict', `publishAt is ${outside}; it needs an override with a reason`, 'overrideReason');
    const version = yield* this.currentVersion(post);
    yield* run(
      db
        .insert(schedules)
        .values({ postId, versionId: version.id, publishAt: publishAt.toISOString(), embargoUntil: embargo, overrideReason: override || null, scheduledBy: actor.id })
        .onConflictDoUpdate({ target: schedules.postId, set: { versionId: version.id, publishAt: publishAt.toISOString(), embargoUntil: embargo, overrideReason: override || null, scheduledBy: actor.id } }),
    );
    yield* this.setStatus(post, to, actor.id);
    yield* appendAudit$(db, { actorId: actor.id, action: 'post.schedule', entityType: 'post', entityId: postId, data: { publishAt: publishAt.toISOString(), embargoUntil: embargo, override: override || null } }, this.now());
    return { id: postId, status: to, publishAt: publishAt.toISOString() };
  }

  /** Scheduled posts whose time has come, with their publisher's kind. */
  private *duePosts() {
    const rows = yield* all(
      this.db
        .select({ s: schedules, accountId: posts.accountId })
        .from(schedules)
        .innerJoin(posts, eq(posts.id, schedules.postId))
        .where(and(eq(posts.status, 'scheduled'), lte(schedules.publishAt, this.now().toISOString()))),
    );
    const out: Array<{ postId: string; scheduledBy: number; overrideReason: string | null; manual: boolean }> = [];
    for (const r of rows) {
      const manual = (yield* this.publisherFor(r.accountId)).kind === 'manual';
      out.push({ postId: r.s.postId, scheduledBy: r.s.scheduledBy, overrideReason: r.s.overrideReason, manual });
    }
    return out;
  }

  /**
   * Publishes scheduled posts whose time has come, as the editor who scheduled
   * them. Manual-publisher accounts are published when their editor records
   * the URL; these are returned as due instead.
   */
  async publishDue(): Promise<{ published: string[]; due: string[]; failed: Array<{ postId: string; error: string }> }> {
    const rows = await this.runner(this.duePosts(), 'read');
    const out = { published: [] as string[], due: [] as string[], failed: [] as Array<{ postId: string; error: string }> };
    for (const r of rows) {
      if (r.manual) {
        out.due.push(r.postId);
        continue;
      }
      const actor = await this.runner(this.actorById(r.scheduledBy), 'read');
      try {
        await this.publish(actor, r.postId, r.overrideReason ? { overrideReason: r.overrideReason } : {});
        out.published.push(r.postId);
      } catch (err) {
        out.failed.push({ postId: r.postId, error: (err as Error).message });
      }
    }
    return out;
  }

  private *actorById(id: number): Program<Actor> {
    const u = yield* get(this.db.select().from(users).where(eq(users.id, id)));
    if (!u) throw new Error(`no user ${id}`);
    const accs = yield* all(this.db.select({ id: userAccounts.accountId }).from(userAccounts).where(eq(userAccounts.userId, id)));
    return { id: u.id, name: u.name, role: u.role, accountIds: accs.map((a) => a.id) };
  }

  /** Sets an account's publish window and publisher (admin). */
  *setAccountSettings(actor: Actor, account: string, input: { windowStart?: string | null; windowEnd?: string | null; windowDays?: string | null; publisher?: 'manual' | 'webhook'; publisherUrl?: string | null }) {
    if (actor.role !== 'admin') throw new DomainError('forbidden', 'only an admin may change account settings');
    for (const f of ['windowStart', 'windowEnd'] as const) {
      const v = input[f];
      if (v != null && !isValidTimeOfDay(v)) throw new DomainError('invalid', `${f} must be HH:MM`, f);
    }
    if ((input.windowStart == null) !== (input.windowEnd == null)) throw new DomainError('invalid', 'windowStart and windowEnd go together', 'windowEnd');
    if (input.windowDays != null && !/^[1-7]{1,7}$/.test(input.windowDays)) throw new DomainError('invalid', 'windowDays lists ISO weekdays 1–7, e.g. 12345', 'windowDays');
    if (input.publisher === 'webhook' && !input.publisherUrl) throw new DomainError('invalid', 'a webhook publisher needs publisherUrl', 'publisherUrl');
    const db = this.db;
    const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, account)));
    if (!acc) throw new DomainError('not_found', `unknown account: ${account}`);
    const secret = input.publisher === 'webhook' ? newWebhookSecret() : null;
    const values = {
      windowStart: input.windowStart ?? null,
      windowEnd: input.windowEnd ?? null,
      windowDays: input.windowDays ?? null,
      publisher: input.publisher ?? 'manual',
      publisherUrl: input.publisherUrl ?? null,
      publisherSecret: secret,
    };
    yield* run(db.insert(accountSettings).values({ accountId: acc.id, ...values }).onConflictDoUpdate({ target: accountSettings.accountId, set: values }));
    yield* appendAudit$(db, { actorId: actor.id, action: 'account.settings', entityType: 'account', entityId: String(acc.id), data: { ...values, publisherSecret: secret ? '(new)' : null } }, this.now());
    return { account, ...values };
  }

  /** Freshness of every account as of `today` (YYYY-MM-DD). */
  *accountFreshness(today: string): Program<Freshness[]> {
    const fields = { accountId: sql<number>`a.id`, account: sql<string>`a.name`, last: sql<string | null>`(SELECT max(published_at) FROM publications WHERE account_id = a.id)` };
    const accountRows = yield* rows(fields, this.db.select(fields).from(sql`accounts a`).orderBy(sql`a.id`));
    return accountRows.map((r) => {
      const days = r.last ? daysBetween(isoToDay(r.last), today) : null;
      return { account: r.account, accountId: r.accountId, lastPublishedAt: r.last, days, level: freshnessLevel(days) };
    });
  }

  /** Sends one webhook alert per account, level and lapse; returns the alerts raised. */
  *raiseFreshnessAlerts(today: string): Program<Freshness[]> {
    const db = this.db;
    const raised: Freshness[] = [];
    for (const f of yield* this.accountFreshness(today)) {
      if (f.level === 'ok' || f.days === null) continue;
      const inserted = yield* all(db.insert(freshnessAlerts).values({ accountId: f.accountId, level: f.level, since: f.lastPublishedAt ?? '' }).onConflictDoNothing().returning());
      if (inserted.length === 0) continue;
      yield* enqueueEvent$(db, { event: 'account.freshness', account: f.account, accountId: f.accountId, level: f.level, days: f.days, lastPublishedAt: f.lastPublishedAt, at: this.now().toISOString() });
      yield* afterCommit(this.onWebhook);
      yield* appendAudit$(db, { actorId: null, action: `account.freshness.${f.level}`, entityType: 'account', entityId: String(f.accountId), data: { days: f.days, lastPublishedAt: f.lastPublishedAt } }, this.now());
      raised.push(f);
    }
    return raised;
  }

  // ---- settings -----------------------------------------------------------

  /**
   * The verdict policy in force: shipped defaults, then LASTGATE_CLASSIFIER_THRESHOLDS
   * from the environment, then what compliance set through the API.
   */
  *verdictPolicy(): Program<VerdictPolicy> {
    let policy = this.configPolicy;
    const row = yield* get(this.db.select().from(settings).where(eq(settings.key, THRESHOLDS_KEY)));
    if (row) policy = withClassifierThresholds(row.value as ThresholdOverrides, policy);
    return policy;
  }

  /** Changes classifier thresholds (compliance); audited, effective for the next job. */
  *setClassifierThresholds(actor: Actor, overrides: ThresholdOverrides): Program<VerdictPolicy> {
    requireCompliance(actor, 'change classifier thresholds');
    const db = this.db;
    const prev = ((yield* get(db.select().from(settings).where(eq(settings.key, THRESHOLDS_KEY))))?.value ?? {}) as ThresholdOverrides;
    const merged: ThresholdOverrides = { ...prev };
    for (const [label, t] of Object.entries(overrides)) merged[label] = { ...prev[label], ...t };
    const at = this.now().toISOString();
    yield* run(db.insert(settings).values({ key: THRESHOLDS_KEY, value: merged, updatedBy: actor.id, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value: merged, updatedBy: actor.id, updatedAt: at } }));
    yield* appendAudit$(db, { actorId: actor.id, action: 'settings.classifier_thresholds', entityType: 'settings', entityId: THRESHOLDS_KEY, data: { before: prev, after: merged } }, this.now());
    return withClassifierThresholds(merged, this.configPolicy);
  }

  // ---- cleanup tasks -----------------------------------------------------

  *listCleanupTasks(actor: Actor, q: { postId?: string; state?: 'open' | 'decided' | 'fixed'; kind?: string; limit: number }) {
    const conds = [];
    if (q.postId) conds.push(eq(cleanupTasks.postId, q.postId));
    if (q.state) conds.push(eq(cleanupTasks.state, q.state));
    if (q.kind) conds.push(eq(cleanupTasks.kind, q.kind as 'policy'));
    if (actor.role === 'editor') conds.push(inArray(posts.accountId, actor.accountIds.length ? actor.accountIds : [-1]));
    const rows = yield* all(
      this.db
        .select({ t: cleanupTasks, account: accounts.name })
        .from(cleanupTasks)
        .innerJoin(posts, eq(posts.id, cleanupTasks.postId))
        .innerJoin(accounts, eq(accounts.id, posts.accountId))
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(asc(cleanupTasks.id))
        .limit(q.limit),
    );
    return rows.map(({ t, account }) => ({ id: t.id, postId: t.postId, account, kind: t.kind, key: t.key, recommendedAction: t.recommendedAction, state: t.state, decision: t.decision, reason: t.reason, detail: t.detail, createdAt: t.createdAt, closedAt: t.closedAt }));
  }

  /**
   * A person decides a cleanup task: withdraw (撤回) or annotate (加注) change the
   * post's status through the lifecycle; update and keep are recorded.
   */
  *decideCleanupTask(actor: Actor, taskId: number, input: { action: 'withdraw' | 'annotate' | 'update' | 'keep'; reason?: string }) {
    if (!['editor', 'compliance', 'admin'].includes(actor.role)) throw new DomainError('forbidden', `role ${actor.role} may not decide cleanup tasks`);
    const reason = input.reason?.trim() ?? '';
    if (input.action !== 'update' && !reason) throw new DomainError('invalid', `${input.action} needs a reason`, 'reason');
    const db = this.db;
    const task = yield* get(db.select().from(cleanupTasks).where(eq(cleanupTasks.id, taskId)));
    if (!task) throw new DomainError('not_found', `no cleanup task ${taskId}`);
    if (task.state !== 'open') throw new DomainError('conflict', `cleanup task ${taskId} is ${task.state}`);
    const post = yield* this.loadPost(actor, task.postId);
    if (actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) throw new DomainError('forbidden', 'not your account');
    let status = post.status;
    if (input.action === 'withdraw' || input.action === 'annotate') {
      const perm = mayAct(actor, input.action, post.authorId);
      if (!perm.ok) throw new DomainError('forbidden', perm.message);
      const t = transition(post.status, { type: input.action, reason });
      if (!t.ok) throw new DomainError('conflict', t.message);
      status = t.to;
      if (status !== post.status) yield* this.setStatus(post, status, actor.id);
    }
    const at = this.now().toISOString();
    yield* run(db.update(cleanupTasks).set({ state: 'decided', decision: input.action, decidedBy: actor.id, reason: reason || null, closedAt: at }).where(eq(cleanupTasks.id, taskId)));
    yield* appendAudit$(db, { actorId: actor.id, action: `cleanup.${input.action}`, entityType: 'post', entityId: post.id, data: { taskId, kind: task.kind, key: task.key, reason: reason || null, from: post.status, to: status } }, this.now());
    return { id: taskId, state: 'decided' as const, decision: input.action, postStatus: status };
  }

  // ---- policy registry ---------------------------------------------------

  *addPolicy(actor: Actor, input: PolicyInput) {
    requireCompliance(actor, 'manage the policy registry');
    const r = yield* upsertPolicy$(this.db, input, this.now().toISOString());
    yield* appendAudit$(this.db, { actorId: actor.id, action: r.created ? 'policy.add' : 'policy.update', entityType: 'policy', entityId: String(r.policy.id), data: { ...input } }, this.now());
    return r;
  }

  *updatePolicy(actor: Actor, id: number, patch: PolicyPatch) {
    requireCompliance(actor, 'manage the policy registry');
    const r = yield* patchPolicy$(this.db, id, patch, this.now().toISOString());
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'policy.update', entityType: 'policy', entityId: String(id), data: { before: r.previous, after: patch } }, this.now());
    return r;
  }

  /** Imports many policies at once; nothing is written if any row is invalid (with a transactional runner). */
  *importPolicies(actor: Actor, rows: PolicyInput[]) {
    requireCompliance(actor, 'manage the policy registry');
    let created = 0;
    let updated = 0;
    const at = this.now().toISOString();
    for (const row of rows) ((yield* upsertPolicy$(this.db, row, at)).created ? created++ : updated++);
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'policy.import', entityType: 'policy', entityId: '*', data: { created, updated } }, this.now());
    return { created, updated };
  }

  *listPolicies() {
    return yield* all(this.db.select().from(policies).orderBy(asc(policies.id)));
  }

  /**
   * Impact preview: the published posts a registry change would flag, before
   * it is saved (a status other than effective flags every post citing it).
   */
  *previewPolicyChange(actor: Actor, change: { id?: number; docNo?: string; title?: string; status: PolicyInput['status'] }) {
    requireCompliance(actor, 'preview registry changes');
    const db = this.db;
    let policyId = change.id ?? null;
    if (policyId == null) {
      const key = change.docNo ? parseDocNo(change.docNo) : null;
      const existing = key
        ? yield* get(db.select().from(policies).where(eq(policies.docNo, key)))
        : change.title
          ? yield* get(db.select().from(policies).where(eq(policies.title, change.title)))
          : undefined;
      policyId = existing?.id ?? null;
    }
    let citing: Array<{ postId: string; account: string; title: string | null; cited: string }>;
    if (policyId != null) {
      const fields = { postId: sql<string>`c.post_id`, account: sql<string>`a.name`, title: sql<string | null>`v.title`, cited: sql<string>`c.text` };
      citing = yield* rows(
        fields,
        db
          .selectDistinct(fields)
          .from(
            sql`citations c
           JOIN posts p ON p.id = c.post_id AND p.status IN ('published','annotated')
           JOIN post_versions v ON v.id = c.version_id JOIN accounts a ON a.id = p.account_id`,
          )
          .where(sql`c.policy_id = ${policyId}`),
      );
    } else {
      // Not in the registry yet: match the text of the published archive directly.
      const probe = new PolicyIndex([{ id: -1, docNo: change.docNo ? parseDocNo(change.docNo) : null, title: change.title ?? '\u0000', issuedAt: null, status: change.status, replacedBy: null, updatedAt: '' }]);
      citing = [];
      // In pages along the posts_status index (status, then rowid), so a large archive is never held in memory at once.
      const fields = { postId: sql<string>`p.id`, account: sql<string>`a.name`, title: sql<string | null>`v.title`, body: sql<string>`v.body`, status: sql<string>`p.status`, rowid: sql<number>`p.rowid` };
      let after: { status: string; rowid: number } | null = null;
      for (;;) {
        const published: Array<{ postId: string; account: string; title: string | null; body: string; status: string; rowid: number }> = yield* rows(
          fields,
          db
            .select(fields)
            .from(sql`posts p JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version JOIN accounts a ON a.id = p.account_id`)
            .where(after ? sql`p.status IN ('published','annotated') AND (p.status, p.rowid) > (${after.status}, ${after.rowid})` : sql`p.status IN ('published','annotated')`)
            .orderBy(sql`p.status, p.rowid`)
            .limit(ARCHIVE_PAGE),
        );
        for (const r of published) {
          const hit = probe.cited(r.title ? `${r.title}\n${r.body}` : r.body)[0];
          if (hit) citing.push({ postId: r.postId, account: r.account, title: r.title, cited: hit.text });
        }
        const last = published[published.length - 1];
        if (!last || published.length < ARCHIVE_PAGE) break;
        after = { status: last.status, rowid: last.rowid };
      }
    }
    const flags = change.status !== 'effective';
    return { policyId, wouldFlag: flags ? citing.length : 0, posts: flags ? citing : [], citing: citing.length };
  }

  // ---- machine review ----------------------------------------------------

  /** The content a machine-review job works on. */
  *reviewInput(versionId: number): Program<ReviewInput | null> {
    const v = yield* get(
      this.db
        .select({ v: postVersions, account: accounts.name })
        .from(postVersions)
        .innerJoin(posts, eq(posts.id, postVersions.postId))
        .innerJoin(accounts, eq(accounts.id, posts.accountId))
        .where(eq(postVersions.id, versionId)),
    );
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
  *applyMachineReview(versionId: number, result: MachineReviewResult, durationMs?: number): Program<void> {
    const db = this.db;
    const inserted = yield* all(
      db
        .insert(machineReviews)
        .values({
          versionId,
          verdict: result.verdict,
          categories: result.categories,
          findings: result.hits,
          classifier: result.classifier,
          rulesVersion: result.rulesVersion,
          modelVersion: result.modelVersion,
          classifierSkipped: result.classifierSkipped ?? null,
          durationMs: durationMs != null ? Math.round(durationMs) : null,
        })
        .onConflictDoNothing()
        .returning({ id: machineReviews.id }),
    );
    yield* run(db.update(outbox).set({ state: 'done', lastError: null }).where(and(eq(outbox.kind, 'machine_review'), eq(outbox.versionId, versionId))));
    if (inserted.length === 0) return;
    const version = yield* get(db.select().from(postVersions).where(eq(postVersions.id, versionId)));
    if (!version) throw new Error(`version ${versionId} vanished`);
    const post = (yield* get(db.select().from(posts).where(eq(posts.id, version.postId))))!;
    if (post.currentVersion !== version.version || post.status !== 'submitted') return;
    const to = this.move(null, post, { type: 'machine_reviewed', verdict: result.verdict });
    const at = this.now().toISOString();
    if (to === 'pending_review') {
      const routing = routeReview(result);
      yield* run(
        db
          .insert(reviewTasks)
          .values({ postId: post.id, versionId, requiredApprovals: routing.requiredApprovals, assignedRole: routing.assignedRole, riskScore: routing.riskScore, createdAt: at, updatedAt: at })
          .onConflictDoNothing(),
      );
    }
    yield* this.setStatus(post, to, null);
    yield* appendAudit$(
      db,
      {
        actorId: null,
        action: 'post.machine_review',
        entityType: 'post',
        entityId: post.id,
        data: { version: version.version, verdict: result.verdict, categories: result.categories, rulesVersion: result.rulesVersion, modelVersion: result.modelVersion, from: post.status, to },
      },
      this.now(),
    );
  }

  // ---- reviewer workspace ------------------------------------------------

  /**
   * The actor's review queue: open tasks they may decide (not their own posts,
   * not versions they already approved, escalated tasks only for compliance),
   * riskiest first, then what is to be published soonest.
   */
  *queue(actor: Actor, f: QueueFilter = {}): Program<{ items: QueueItem[]; counts: QueueCounts }> {
    if (actor.role !== 'reviewer' && actor.role !== 'compliance') {
      throw new DomainError('forbidden', `role ${actor.role} has no review queue`);
    }
    const now = this.now().toISOString();
    const me = actor.id;
    const where: SQL[] = [sql`t.state = 'open'`, sql`p.author_id <> ${me}`, sql`NOT EXISTS (SELECT 1 FROM decisions d WHERE d.version_id = t.version_id AND d.reviewer_id = ${me} AND d.decision = 'approve')`];
    if (actor.role !== 'compliance') where.push(sql`t.assigned_role = 'reviewer'`);
    const base = [...where];
    if (f.account) where.push(sql`a.name = ${f.account}`);
    if (f.unit) where.push(sql`u.name = ${f.unit}`);
    if (f.category) where.push(sql`EXISTS (SELECT 1 FROM json_each(mr.categories) WHERE value = ${f.category})`);
    if (f.risk === 'high') where.push(sql`t.required_approvals >= 2`);
    if (f.risk === 'normal') where.push(sql`t.required_approvals < 2`);
    const from = sql`review_tasks t
      JOIN posts p ON p.id = t.post_id
      JOIN post_versions v ON v.id = t.version_id
      JOIN accounts a ON a.id = p.account_id
      LEFT JOIN units u ON u.id = a.unit_id
      LEFT JOIN machine_reviews mr ON mr.version_id = t.version_id`;
    const itemFields = {
      id: sql<number>`t.id`,
      postId: sql<string>`t.post_id`,
      versionId: sql<number>`t.version_id`,
      version: sql<number>`v.version`,
      requiredApprovals: sql<number>`t.required_approvals`,
      assignedRole: sql<QueueItem['assignedRole']>`t.assigned_role`,
      riskScore: sql<number>`t.risk_score`,
      claimedBy: sql<number | null>`CASE WHEN t.claimed_by IS NOT NULL AND t.lease_expires_at > ${now} THEN t.claimed_by END`,
      claimedByName: sql<string | null>`CASE WHEN t.claimed_by IS NOT NULL AND t.lease_expires_at > ${now} THEN cu.name END`,
      title: sql<string | null>`v.title`,
      excerpt: sql<string>`substr(v.body, 1, 80)`,
      date: sql<string>`v.publish_date`,
      account: sql<string>`a.name`,
      unit: sql<string | null>`u.name`,
      verdict: sql<QueueItem['verdict']>`mr.verdict`,
      categories: sql<string>`COALESCE(mr.categories, '[]')`,
      createdAt: sql<string>`t.created_at`,
      approvals: sql<number>`(SELECT count(DISTINCT d.reviewer_id) FROM decisions d WHERE d.version_id = t.version_id AND d.decision = 'approve')`,
    };
    const items = yield* rows(
      itemFields,
      this.db
        .select(itemFields)
        .from(sql`${from} LEFT JOIN users cu ON cu.id = t.claimed_by`)
        .where(sql.join(where, sql` AND `))
        .orderBy(sql`t.risk_score DESC, v.publish_date ASC, t.id ASC`)
        .limit(f.limit ?? 100),
    );
    const countFields = { account: sql<string>`a.name`, req: sql<number>`t.required_approvals`, categories: sql<string>`COALESCE(mr.categories, '[]')` };
    const countRows = yield* rows(countFields, this.db.select(countFields).from(from).where(sql.join(base, sql` AND `)));
    const counts: QueueCounts = { total: countRows.length, high: 0, byAccount: {}, byCategory: {} };
    for (const r of countRows) {
      if (r.req >= 2) counts.high++;
      counts.byAccount[r.account] = (counts.byAccount[r.account] ?? 0) + 1;
      for (const c of JSON.parse(r.categories) as string[]) counts.byCategory[c] = (counts.byCategory[c] ?? 0) + 1;
    }
    return { items: items.map((i) => ({ ...i, categories: JSON.parse(i.categories) as string[] })), counts };
  }

  /** Extends the actor's own claim by a full lease. */
  *renewClaim(actor: Actor, taskId: number): Program<TaskView> {
    const task = yield* this.loadTask(taskId);
    const now = this.now().toISOString();
    if (task.state !== 'open' || task.claimedBy !== actor.id || (task.leaseExpiresAt ?? '') <= now) {
      throw new DomainError('conflict', `you do not hold task ${taskId}; claim it first`);
    }
    const lease = new Date(this.now().getTime() + this.leaseMs).toISOString();
    yield* run(this.db.update(reviewTasks).set({ leaseExpiresAt: lease, updatedAt: now }).where(eq(reviewTasks.id, taskId)));
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'task.renew', entityType: 'task', entityId: String(taskId), data: { leaseExpiresAt: lease } }, this.now());
    return yield* this.taskView(taskId);
  }

  /** Gives a claimed task back to the queue. */
  *releaseClaim(actor: Actor, taskId: number): Program<TaskView> {
    const task = yield* this.loadTask(taskId);
    if (task.claimedBy !== actor.id) throw new DomainError('conflict', `you do not hold task ${taskId}`);
    yield* run(this.db.update(reviewTasks).set({ claimedBy: null, leaseExpiresAt: null, updatedAt: this.now().toISOString() }).where(eq(reviewTasks.id, taskId)));
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'task.release', entityType: 'task', entityId: String(taskId), data: {} }, this.now());
    return yield* this.taskView(taskId);
  }

  /**
   * A compliance officer overrides a machine block with a written reason: the
   * post goes to human review and, being high risk, needs two approvals.
   */
  *overrideBlock(actor: Actor, postId: string, reason: string): Program<{ id: string; status: PostStatus }> {
    const db = this.db;
    const post = yield* this.loadPost(actor, postId);
    const version = yield* this.currentVersion(post);
    const mr = yield* get(db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)));
    if (!mr || mr.verdict !== 'block') throw new DomainError('conflict', 'only a machine block can be overridden');
    const to = this.move(actor, post, { type: 'override_block', reason: reason.trim() });
    const routing = routeReview({ verdict: mr.verdict, hits: mr.findings as Hit[], classifier: (mr.classifier as ClassifierResult | null) ?? null });
    const at = this.now().toISOString();
    yield* run(
      db
        .insert(reviewTasks)
        .values({ postId, versionId: version.id, requiredApprovals: 2, assignedRole: routing.assignedRole, riskScore: routing.riskScore, createdAt: at, updatedAt: at })
        .onConflictDoNothing(),
    );
    yield* this.setStatus(post, to, actor.id);
    yield* appendAudit$(db, { actorId: actor.id, action: 'post.override_block', entityType: 'post', entityId: postId, data: { version: post.currentVersion, reason: reason.trim(), from: post.status, to } }, this.now());
    return { id: postId, status: to };
  }

  /** Marks one machine finding of the current version as a false positive or confirmed. */
  *markFinding(actor: Actor, postId: string, findingIndex: number, mark: 'false_positive' | 'confirmed'): Program<void> {
    if (actor.role !== 'reviewer' && actor.role !== 'compliance') throw new DomainError('forbidden', `role ${actor.role} may not mark findings`);
    const db = this.db;
    const post = yield* this.loadPost(actor, postId);
    if (post.authorId === actor.id) throw new DomainError('forbidden', 'separation of duties: you cannot judge findings on your own post');
    const version = yield* this.currentVersion(post);
    const mr = yield* get(db.select().from(machineReviews).where(eq(machineReviews.versionId, version.id)));
    const finding = (mr?.findings as Hit[] | undefined)?.[findingIndex];
    if (!finding) throw new DomainError('invalid', `no finding ${findingIndex} on the current version`, 'index');
    yield* run(
      db
        .insert(findingMarks)
        .values({ versionId: version.id, findingIndex, rule: finding.rule, reviewerId: actor.id, mark })
        .onConflictDoUpdate({ target: [findingMarks.versionId, findingMarks.findingIndex, findingMarks.reviewerId], set: { mark, createdAt: this.now().toISOString() } }),
    );
    yield* appendAudit$(db, { actorId: actor.id, action: 'finding.mark', entityType: 'post', entityId: postId, data: { version: post.currentVersion, findingIndex, rule: finding.rule, mark } }, this.now());
  }

  /** Per-rule hit counts and reviewers' marks, for compliance officers. */
  *ruleStats(actor: Actor): Program<RuleStat[]> {
    requireCompliance(actor, 'read rule statistics');
    const hitFields = {
      rule: sql<string>`json_extract(f.value, '$.rule')`,
      gate: sql<string>`json_extract(f.value, '$.gate')`,
      category: sql<string>`json_extract(f.value, '$.category')`,
      hits: sql<number>`count(*)`,
      posts: sql<number>`count(DISTINCT mr.version_id)`,
    };
    const hits = yield* rows(hitFields, this.db.select(hitFields).from(sql`machine_reviews mr, json_each(mr.findings) f`).groupBy(sql`1, 2, 3`));
    const marks = new Map<string, { fp: number; ok: number }>();
    const markFields = { rule: sql<string>`rule`, fp: sql<number>`sum(mark = 'false_positive')`, ok: sql<number>`sum(mark = 'confirmed')` };
    const markRows = yield* rows(markFields, this.db.select(markFields).from(sql`finding_marks`).groupBy(sql`rule`));
    for (const m of markRows) marks.set(m.rule, m);
    return hits
      .map((h) => {
        const m = marks.get(h.rule) ?? { fp: 0, ok: 0 };
        const judged = m.fp + m.ok;
        return { ...h, falsePositives: m.fp, confirmed: m.ok, falsePositiveRate: judged ? m.fp / judged : null };
      })
      .sort((a, b) => b.hits - a.hits || a.rule.localeCompare(b.rule));
  }

  *listReasonTemplates(): Program<ReasonTemplate[]> {
    return yield* all(this.db.select({ id: reasonTemplates.id, decision: reasonTemplates.decision, text: reasonTemplates.text }).from(reasonTemplates).where(eq(reasonTemplates.active, true)).orderBy(asc(reasonTemplates.id)));
  }

  *addReasonTemplate(actor: Actor, t: Omit<ReasonTemplate, 'id'>): Program<ReasonTemplate> {
    requireCompliance(actor, 'manage reason templates');
    if (!t.text.trim()) throw new DomainError('invalid', 'text must not be empty', 'text');
    const [row] = yield* all(this.db.insert(reasonTemplates).values({ decision: t.decision, text: t.text.trim(), createdBy: actor.id }).returning());
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'reason_template.add', entityType: 'reason_template', entityId: String(row!.id), data: { decision: t.decision, text: row!.text } }, this.now());
    return { id: row!.id, decision: row!.decision, text: row!.text };
  }

  *disableReasonTemplate(actor: Actor, id: number): Program<void> {
    requireCompliance(actor, 'manage reason templates');
    // RETURNING rather than the run result's change count, which each driver reports differently.
    const changed = yield* all(this.db.update(reasonTemplates).set({ active: false }).where(eq(reasonTemplates.id, id)).returning({ id: reasonTemplates.id }));
    if (changed.length === 0) throw new DomainError('not_found', `no reason template ${id}`);
    yield* appendAudit$(this.db, { actorId: actor.id, action: 'reason_template.disable', entityType: 'reason_template', entityId: String(id), data: {} }, this.now());
  }

  /** Character-level differences between two versions of a post. */
  *versionDiff(actor: Actor, postId: string, fromVersion: number, toVersion: number): Program<VersionDiff> {
    const post = yield* this.loadPost(actor, postId);
    const db = this.db;
    function* load(n: number) {
      const v = yield* get(db.select().from(postVersions).where(and(eq(postVersions.postId, post.id), eq(postVersions.version, n))));
      if (!v) throw new DomainError('invalid', `post ${postId} has no version ${n}`, n === fromVersion ? 'from' : 'to');
      return v;
    }
    const a = yield* load(fromVersion);
    const b = yield* load(toVersion);
    return { from: fromVersion, to: toVersion, title: textDiff(a.title ?? '', b.title ?? ''), body: textDiff(a.body, b.body) };
  }

  /** Registers a signed webhook for one account (or all); returns its secret once. */
  *addWebhook(actor: Actor, input: { account?: string; url: string }): Program<{ id: number; secret: string }> {
    if (actor.role !== 'admin' && actor.role !== 'compliance') throw new DomainError('forbidden', `role ${actor.role} may not manage webhooks`);
    const db = this.db;
    let accountId: number | null = null;
    if (input.account) {
      const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, input.account)));
      if (!acc) throw new DomainError('invalid', `unknown account: ${input.account}`, 'account');
      accountId = acc.id;
    }
    const secret = newWebhookSecret();
    const [row] = yield* all(db.insert(webhooks).values({ accountId, url: input.url, secret, createdBy: actor.id }).returning({ id: webhooks.id }));
    yield* appendAudit$(db, { actorId: actor.id, action: 'webhook.add', entityType: 'webhook', entityId: String(row!.id), data: { account: input.account ?? null, url: input.url } }, this.now());
    return { id: row!.id, secret };
  }

  /** Account names the actor may submit to. */
  *listAccounts(actor: Actor): Program<string[]> {
    const rows = yield* all(this.db.select({ id: accounts.id, name: accounts.name }).from(accounts).orderBy(asc(accounts.id)));
    return rows.filter((r) => actor.role !== 'editor' || actor.accountIds.includes(r.id)).map((r) => r.name);
  }

  /** Posts of the editor's accounts (all posts for other roles), newest first. */
  *listPosts(actor: Actor, limit = 100): Program<PostSummary[]> {
    const ids = actor.accountIds.map(Number);
    const fields = {
      id: sql<string>`p.id`,
      status: sql<PostStatus>`p.status`,
      account: sql<string>`a.name`,
      version: sql<number>`p.current_version`,
      title: sql<string | null>`v.title`,
      excerpt: sql<string>`substr(v.body, 1, 80)`,
      verdict: sql<PostSummary['verdict']>`mr.verdict`,
      categories: sql<string>`COALESCE(mr.categories, '[]')`,
      updatedAt: sql<string>`p.updated_at`,
    };
    const summaries = yield* rows(
      fields,
      this.db
        .select(fields)
        .from(
          sql`posts p JOIN accounts a ON a.id = p.account_id
         JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version
         LEFT JOIN machine_reviews mr ON mr.version_id = v.id`,
        )
        .where(actor.role === 'editor' ? (ids.length ? sql`p.account_id IN ${ids}` : sql`p.account_id IN (NULL)`) : undefined)
        .orderBy(sql`p.updated_at DESC`)
        .limit(limit),
    );
    return summaries.map((row) => ({ ...row, categories: JSON.parse(row.categories) as string[] }));
  }
}
