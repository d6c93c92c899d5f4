/**
 * Human review tasks: one per post version that machine review sent to
 * people. A reviewer claims a task (a lease, renewable), then decides it;
 * approvals count per version and per distinct reviewer, and a high-risk
 * version needs two.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, decisions, posts, postVersions, reviewTasks } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, run, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { mayAct, type EventType, type PostEvent, type PostStatus } from './transitions.js';
import { currentVersion$, loadPost$, move, setStatus$ } from '../posts/records.js';
import { accountScope, type Actor } from '../users/actor.js';

/** How long a claim holds a task for its reviewer. */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;

export type TaskState = 'open' | 'claimed' | 'done' | 'void';

export interface TaskView {
  id: number;
  postId: string;
  versionId: number;
  version: number;
  state: TaskState;
  requiredApprovals: number;
  approvals: number;
  assignedRole: 'reviewer' | 'compliance';
  riskScore: number;
  claimedBy: number | null;
  leaseExpiresAt: string | null;
  createdAt: string;
}

export interface DecisionView {
  id: number;
  taskId: number;
  version: number;
  reviewerId: number;
  reviewerName: string;
  decision: 'approve' | 'reject' | 'request_changes' | 'escalate';
  reason: string | null;
  createdAt: string;
}

export interface TaskQuery {
  postId?: string;
  state?: TaskState;
  limit: number;
}

export interface Decision {
  decision: 'approve' | 'reject' | 'request_changes' | 'escalate';
  reason?: string;
}

type TaskRow = typeof reviewTasks.$inferSelect;

/** Tasks as the API shows them: approvals so far, and a claim only while its lease runs. */
export function* taskViews$(db: StoreDb, now: () => Date, rows: TaskRow[]): Program<TaskView[]> {
  if (rows.length === 0) return [];
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
  const at = now().toISOString();
  return rows.map((r) => {
    const held = r.state === 'open' && r.claimedBy != null && r.leaseExpiresAt != null && r.leaseExpiresAt > at;
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

export function* loadTask$(db: StoreDb, taskId: number): Program<TaskRow> {
  const task = yield* get(db.select().from(reviewTasks).where(eq(reviewTasks.id, taskId)));
  if (!task) throw new DomainError('not_found', `no review task ${taskId}`, undefined, '审核任务不存在');
  return task;
}

/** The view of one task, read again after a change. */
export function* taskView$(db: StoreDb, now: () => Date, taskId: number): Program<TaskView> {
  return (yield* taskViews$(db, now, [yield* loadTask$(db, taskId)]))[0]!;
}

export function reviewTaskPrograms(ctx: StoreContext, opts: { leaseMs?: number } = {}) {
  const { db, now } = ctx;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;

  function checkTaskAccess(actor: Actor, task: TaskRow, authorId: number, event: EventType) {
    const perm = mayAct(actor, event, authorId);
    if (!perm.ok) throw new DomainError('forbidden', perm.message, undefined, perm.message.includes('own post') ? '不能审核自己提交的稿件' : '你的角色不能执行此操作');
    if (task.assignedRole === 'compliance' && actor.role !== 'compliance') {
      throw new DomainError('forbidden', 'this task was escalated to compliance', undefined, '此稿已上报合规审查，由合规审查人员处理');
    }
    if (task.state !== 'open') throw new DomainError('conflict', `task ${task.id} is ${task.state}`, undefined, task.state === 'done' ? '此审核任务已完成' : '此审核任务已作废（稿件已修改或撤回）');
    const at = now().toISOString();
    if (task.claimedBy != null && task.claimedBy !== actor.id && task.leaseExpiresAt != null && task.leaseExpiresAt > at) {
      throw new DomainError('conflict', `task ${task.id} is claimed by someone else until ${task.leaseExpiresAt}`, undefined, '此稿正由其他审核员处理，请稍后再试');
    }
  }

  const ALREADY_APPROVED = () => new DomainError('conflict', 'you already approved this version; a second approval must come from another reviewer', undefined, '你已通过此版本，第二次通过须由另一名审核员给出');

  return {
    *listTasks(actor: Actor, q: TaskQuery): Program<TaskView[]> {
      const scope = accountScope(actor);
      if (scope !== null && scope.length === 0) return [];
      const at = now().toISOString();
      const conds = [];
      if (q.postId) conds.push(eq(reviewTasks.postId, q.postId));
      if (q.state === 'done' || q.state === 'void') conds.push(eq(reviewTasks.state, q.state));
      if (q.state === 'open') {
        conds.push(eq(reviewTasks.state, 'open'));
        conds.push(sql`(${reviewTasks.claimedBy} IS NULL OR ${reviewTasks.leaseExpiresAt} <= ${at})`);
      }
      if (q.state === 'claimed') {
        conds.push(eq(reviewTasks.state, 'open'));
        conds.push(sql`(${reviewTasks.claimedBy} IS NOT NULL AND ${reviewTasks.leaseExpiresAt} > ${at})`);
      }
      // Editors follow their own accounts' posts; a reviewer given accounts reviews only theirs.
      if (scope !== null) conds.push(inArray(posts.accountId, scope));
      const rows = (
        yield* all(
          db
            .select({ t: reviewTasks })
            .from(reviewTasks)
            .innerJoin(posts, eq(posts.id, reviewTasks.postId))
            .where(conds.length ? and(...conds) : undefined)
            .orderBy(desc(reviewTasks.riskScore), asc(reviewTasks.id))
            .limit(q.limit),
        )
      ).map((r) => r.t);
      return yield* taskViews$(db, now, rows);
    },

    *getTask(actor: Actor, taskId: number): Program<TaskView> {
      const task = yield* loadTask$(db, taskId);
      yield* loadPost$(db, actor, task.postId);
      return (yield* taskViews$(db, now, [task]))[0]!;
    },

    *claimTask(actor: Actor, taskId: number): Program<TaskView> {
      const task = yield* loadTask$(db, taskId);
      const post = yield* loadPost$(db, actor, task.postId);
      checkTaskAccess(actor, task, post.authorId, 'approve');
      const already = yield* get(
        db
          .select({ id: decisions.id })
          .from(decisions)
          .where(and(eq(decisions.versionId, task.versionId), eq(decisions.reviewerId, actor.id), eq(decisions.decision, 'approve'))),
      );
      if (already) throw ALREADY_APPROVED();
      const lease = new Date(now().getTime() + leaseMs).toISOString();
      yield* run(db.update(reviewTasks).set({ claimedBy: actor.id, leaseExpiresAt: lease, updatedAt: now().toISOString() }).where(eq(reviewTasks.id, taskId)));
      yield* appendAudit$(db, { actorId: actor.id, action: 'task.claim', entityType: 'task', entityId: String(taskId), data: { postId: task.postId, leaseExpiresAt: lease } }, now());
      return yield* taskView$(db, now, taskId);
    },

    /** Extends the actor's own claim by a full lease. */
    *renewClaim(actor: Actor, taskId: number): Program<TaskView> {
      const task = yield* loadTask$(db, taskId);
      const at = now().toISOString();
      if (task.state !== 'open' || task.claimedBy !== actor.id || (task.leaseExpiresAt ?? '') <= at) {
        throw new DomainError('conflict', `you do not hold task ${taskId}; claim it first`, undefined, '你未认领此稿或认领已过期，请重新认领');
      }
      const lease = new Date(now().getTime() + leaseMs).toISOString();
      yield* run(db.update(reviewTasks).set({ leaseExpiresAt: lease, updatedAt: at }).where(eq(reviewTasks.id, taskId)));
      yield* appendAudit$(db, { actorId: actor.id, action: 'task.renew', entityType: 'task', entityId: String(taskId), data: { leaseExpiresAt: lease } }, now());
      return yield* taskView$(db, now, taskId);
    },

    /** Gives a claimed task back to the queue. */
    *releaseClaim(actor: Actor, taskId: number): Program<TaskView> {
      const task = yield* loadTask$(db, taskId);
      if (task.claimedBy !== actor.id) throw new DomainError('conflict', `you do not hold task ${taskId}`, undefined, '你未认领此稿');
      yield* run(db.update(reviewTasks).set({ claimedBy: null, leaseExpiresAt: null, updatedAt: now().toISOString() }).where(eq(reviewTasks.id, taskId)));
      yield* appendAudit$(db, { actorId: actor.id, action: 'task.release', entityType: 'task', entityId: String(taskId), data: {} }, now());
      return yield* taskView$(db, now, taskId);
    },

    *decide(actor: Actor, taskId: number, d: Decision): Program<{ task: TaskView; status: PostStatus }> {
      const task = yield* loadTask$(db, taskId);
      const post = yield* loadPost$(db, actor, task.postId);
      checkTaskAccess(actor, task, post.authorId, d.decision);
      const current = yield* currentVersion$(db, post);
      if (current.id !== task.versionId) throw new DomainError('conflict', 'this task is for an older version of the post', undefined, '此审核任务针对的是稿件的旧版本');
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
          throw ALREADY_APPROVED();
        }
        // Separation of duties: whoever overrode the machine block of this version does not also approve it.
        const overrode = yield* get(
          db
            .select({ seq: auditLog.seq })
            .from(auditLog)
            .where(and(eq(auditLog.action, 'post.override_block'), eq(auditLog.entityType, 'post'), eq(auditLog.entityId, post.id), eq(auditLog.actorId, actor.id), sql`json_extract(${auditLog.data}, '$.version') = ${post.currentVersion}`))
            .limit(1),
        );
        if (overrode) throw new DomainError('forbidden', 'separation of duties: you overrode the machine block of this version, so its approvals must come from others', undefined, '职责分离：你覆盖了此版本的机器拦截，此版本的通过须由其他审核员给出');
        event = { type: 'approve', approvals: new Set(prior.map((p) => p.reviewerId)).size + 1, required: task.requiredApprovals };
      } else {
        event = { type: d.decision, reason };
      }
      const to = move(actor, post, event);
      yield* run(db.insert(decisions).values({ taskId, postId: post.id, versionId: task.versionId, reviewerId: actor.id, decision: d.decision, reason: reason || null }));
      const at = now().toISOString();
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
      yield* setStatus$(ctx, post, to, actor.id);
      yield* appendAudit$(db, { actorId: actor.id, action: `task.${d.decision}`, entityType: 'post', entityId: post.id, data: { taskId, version: post.currentVersion, from: post.status, to, reason: reason || null } }, now());
      return { task: yield* taskView$(db, now, taskId), status: to };
    },
  };
}
