/**
 * Cleanup tasks as people see and decide them: a cleanup run (service.ts)
 * opens one per published post and problem; an editor or compliance officer
 * withdraws (撤回), annotates (加注), updates or keeps the post.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { accounts, cleanupTasks, posts, postVersions } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, run } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { mayAct, transition } from '../review/transitions.js';
import { loadPost$, setStatus$ } from '../posts/records.js';
import type { Actor } from '../users/actor.js';

export type CleanupAction = 'withdraw' | 'annotate' | 'update' | 'keep';

export interface CleanupTaskView {
  id: number;
  postId: string;
  account: string;
  /** The title of the published version the problem was found in. */
  title: string | null;
  /** What is wrong, in one Chinese sentence (problemText). */
  problem: string;
  kind: string;
  key: string;
  recommendedAction: CleanupAction;
  state: 'open' | 'decided' | 'fixed';
  decision: CleanupAction | null;
  reason: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  closedAt: string | null;
}

/** What is wrong with the post, in one sentence a person can act on: the quoted text or link, then why. */
export function problemText(kind: string, detail: Record<string, unknown>): string {
  const s = (k: string) => (typeof detail[k] === 'string' && detail[k] ? (detail[k] as string) : null);
  const why = s('note');
  const what = kind === 'policy' ? s('cited') : kind === 'deadline' || kind === 'rescan' ? s('text') : s('url');
  const quoted = what ? (kind.startsWith('link') ? what : `“${what}”`) : null;
  const fallback = { rescan: '按现行规则复查命中', policy: '引用的文件已不再现行有效', deadline: '所述期限已过', link_broken: '链接无法访问', link_foreign: '链接指向白名单以外的网站' }[kind] ?? '需要处理';
  return [quoted, why ?? fallback].filter(Boolean).join('：');
}

export function cleanupTaskPrograms(ctx: StoreContext) {
  const { db, now } = ctx;
  return {
    *listCleanupTasks(actor: Actor, q: { postId?: string; state?: 'open' | 'decided' | 'fixed'; kind?: string; limit: number }) {
      const conds = [];
      if (q.postId) conds.push(eq(cleanupTasks.postId, q.postId));
      if (q.state) conds.push(eq(cleanupTasks.state, q.state));
      if (q.kind) conds.push(eq(cleanupTasks.kind, q.kind as 'policy'));
      if (actor.role === 'editor') conds.push(inArray(posts.accountId, actor.accountIds.length ? actor.accountIds : [-1]));
      const rows = yield* all(
        db
          .select({ t: cleanupTasks, account: accounts.name, title: postVersions.title })
          .from(cleanupTasks)
          .innerJoin(posts, eq(posts.id, cleanupTasks.postId))
          .innerJoin(postVersions, eq(postVersions.id, cleanupTasks.versionId))
          .innerJoin(accounts, eq(accounts.id, posts.accountId))
          .where(conds.length ? and(...conds) : undefined)
          .orderBy(asc(cleanupTasks.id))
          .limit(q.limit),
      );
      return rows.map(({ t, account, title }) => ({ id: t.id, postId: t.postId, account, title, problem: problemText(t.kind, t.detail), kind: t.kind, key: t.key, recommendedAction: t.recommendedAction, state: t.state, decision: t.decision, reason: t.reason, detail: t.detail, createdAt: t.createdAt, closedAt: t.closedAt }));
    },

    /**
     * A person decides a cleanup task: withdraw (撤回) or annotate (加注) change the
     * post's status through the lifecycle; update and keep are recorded.
     */
    *decideCleanupTask(actor: Actor, taskId: number, input: { action: CleanupAction; reason?: string }) {
      if (!['editor', 'compliance', 'admin'].includes(actor.role)) throw new DomainError('forbidden', `role ${actor.role} may not decide cleanup tasks`);
      const reason = input.reason?.trim() ?? '';
      if (input.action !== 'update' && !reason) throw new DomainError('invalid', `${input.action} needs a reason`, 'reason');
      const task = yield* get(db.select().from(cleanupTasks).where(eq(cleanupTasks.id, taskId)));
      if (!task) throw new DomainError('not_found', `no cleanup task ${taskId}`);
      if (task.state !== 'open') throw new DomainError('conflict', `cleanup task ${taskId} is ${task.state}`);
      const post = yield* loadPost$(db, actor, task.postId);
      if (actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) throw new DomainError('forbidden', 'not your account');
      let status = post.status;
      if (input.action === 'withdraw' || input.action === 'annotate') {
        const perm = mayAct(actor, input.action, post.authorId);
        if (!perm.ok) throw new DomainError('forbidden', perm.message);
        const t = transition(post.status, { type: input.action, reason });
        if (!t.ok) throw new DomainError('conflict', t.message);
        status = t.to;
        if (status !== post.status) yield* setStatus$(ctx, post, status, actor.id);
      }
      const at = now().toISOString();
      yield* run(db.update(cleanupTasks).set({ state: 'decided', decision: input.action, decidedBy: actor.id, reason: reason || null, closedAt: at }).where(eq(cleanupTasks.id, taskId)));
      yield* appendAudit$(db, { actorId: actor.id, action: `cleanup.${input.action}`, entityType: 'post', entityId: post.id, data: { taskId, kind: task.kind, key: task.key, reason: reason || null, from: post.status, to: status } }, now());
      return { id: taskId, state: 'decided' as const, decision: input.action, postStatus: status };
    },
  };
}
