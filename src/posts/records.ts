/**
 * The post records that every concept moving a post works on: reading a post
 * as an actor may see it, its current version, asking the lifecycle
 * (review/transitions.ts) for the next status, and writing that status with
 * its webhook announcement. Submitting, reviewing, publishing and cleanup all
 * change a post's status through here.
 */
import { and, eq } from 'drizzle-orm';
import { accounts, posts, postVersions } from '../db/schema.js';
import { enqueueEvent$ } from '../webhooks/delivery.js';
import { DomainError } from '../store/errors.js';
import { afterCommit, get, getOf, run, runOf, statement, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { mayAct, transition, type PostEvent, type PostStatus } from '../review/transitions.js';
import { inScope, type Actor } from '../users/actor.js';

export type PostRow = typeof posts.$inferSelect;

/** The post, or not_found; an editor sees only their accounts' posts (`actor` null: no visibility check). */
export function* loadPost$(db: StoreDb, actor: Actor | null, postId: string): Program<PostRow> {
  const post = yield* get(db.select().from(posts).where(eq(posts.id, postId)));
  if (!post) throw new DomainError('not_found', `no post ${postId}`, undefined, '稿件不存在或不在你负责的账号范围内');
  if (actor && !inScope(actor, post.accountId)) {
    // Editors (and reviewers given accounts) see only their accounts' posts; say "not found" rather than leak existence.
    throw new DomainError('not_found', `no post ${postId}`, undefined, '稿件不存在或不在你负责的账号范围内');
  }
  return post;
}

export function* currentVersion$(db: StoreDb, post: { id: string; currentVersion: number }) {
  return (yield* get(db.select().from(postVersions).where(and(eq(postVersions.postId, post.id), eq(postVersions.version, post.currentVersion)))))!;
}

/** Asks the lifecycle for permission and the next status, or throws the reason. */
export function move(actor: Actor | null, post: { status: PostStatus; authorId: number }, event: PostEvent): PostStatus {
  if (actor) {
    const perm = mayAct(actor, event.type, post.authorId);
    if (!perm.ok) throw new DomainError('forbidden', perm.message, undefined, perm.message.includes('own post') ? '职责分离：不能审核自己提交的稿件' : '你的角色不能执行此操作');
  }
  const t = transition(post.status, event);
  if (!t.ok) {
    if (t.code === 'invalid') throw new DomainError('invalid', t.message, 'reason', '请填写理由');
    throw new DomainError('conflict', t.message, undefined, '稿件当前的状态不允许此操作（可能已被他人处理），请刷新后再看');
  }
  return t.to;
}

const SET_STATUS = statement((db, a: { id: string; status: PostStatus; at: string }) => db.update(posts).set({ status: a.status, updatedAt: a.at }).where(eq(posts.id, a.id)));
const ACCOUNT_NAME = statement((db, a: { id: number }) => db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, a.id)));

/**
 * Moves a post to `to` and announces it to webhooks, in the caller's
 * transaction; every status change goes through here.
 */
export function* setStatus$(
  { db, now, onWebhook }: StoreContext,
  post: { id: string; accountId: number; status: PostStatus | null; currentVersion: number },
  to: PostStatus,
  actorId: number | null,
  extra: Partial<typeof posts.$inferInsert> = {},
): Program<void> {
  const at = now().toISOString();
  // The common case (status and time only) as a prepared statement; `extra` changes the statement's shape.
  if (Object.keys(extra).length === 0) yield* runOf(db, SET_STATUS, { id: post.id, status: to, at });
  else yield* run(db.update(posts).set({ status: to, updatedAt: at, ...extra }).where(eq(posts.id, post.id)));
  const account = (yield* getOf(db, ACCOUNT_NAME, { id: post.accountId }))!;
  yield* enqueueEvent$(db, { event: 'post.status_changed', postId: post.id, account: account.name, accountId: post.accountId, version: extra.currentVersion ?? post.currentVersion, from: post.status, to, actorId, at });
  yield* afterCommit(onWebhook);
}
