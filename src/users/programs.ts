/**
 * Users and their bearer tokens (users/tokens.ts): creating, listing,
 * disabling, enabling a user, rotating and expiring a token, signing a token
 * in; and the reviewer workspace's server-side sessions (the cookie carries a
 * random session id, the table only its sha256).
 *
 * The changes are admins' (or, with actor null, the operator's with shell
 * access, as the CLI runs them) and every one is audited; tokens and session
 * ids are never logged.
 */
import { and, asc, eq, lte, ne } from 'drizzle-orm';
import { accounts, sessions, userAccounts, users } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, allOf, get, getOf, run, statement, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { Role } from '../review/transitions.js';
import { hashToken, newSessionId, newToken } from './tokens.js';
import type { Actor } from './actor.js';

/** How long a workspace session lasts unless configured (LASTGATE_SESSION_HOURS). */
export const DEFAULT_SESSION_HOURS = 8;
/** The longest token lifetime `expiresInDays` accepts (ten years). */
export const MAX_EXPIRES_DAYS = 3650;

export interface UserOptions {
  /** Lifetime of a workspace session, in hours (default 8). */
  sessionHours?: number;
}

/** A user as the admin list shows them; never their token. */
export interface UserSummary {
  id: number;
  name: string;
  role: Role;
  /** Names of the accounts they work for. */
  accounts: string[];
  disabled: boolean;
  createdAt: string;
  tokenExpiresAt: string | null;
}

/** A token just issued: shown once, never stored. */
export interface IssuedToken {
  id: number;
  name: string;
  role: Role;
  token: string;
  tokenExpiresAt: string | null;
}

export interface NewUser {
  name: string;
  role: Role;
  accounts?: string[];
  /** The token stops working this many days from now (default: never). */
  expiresInDays?: number;
}

/** A new workspace session: the id goes into the cookie and nowhere else. */
export interface StartedSession {
  sessionId: string;
  expiresAt: string;
  actor: Actor;
}

/** Refuses anyone but an admin; null is the operator at the shell (the CLI). */
function requireAdmin(actor: Actor | null, what: string, zh: string): void {
  if (actor && actor.role !== 'admin') throw new DomainError('forbidden', `only an admin may ${what}`, undefined, `只有管理员可以${zh}`);
}

function expiryOf(days: number | undefined, now: Date): string | null {
  if (days === undefined) return null;
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRES_DAYS) {
    throw new DomainError('invalid', `expiresInDays must be a whole number of days from 1 to ${MAX_EXPIRES_DAYS}`, 'expiresInDays', `有效天数须为 1 到 ${MAX_EXPIRES_DAYS} 之间的整数`);
  }
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

function expired(at: string | null, now: Date): boolean {
  return at !== null && at <= now.toISOString();
}

export function userPrograms({ db, now }: StoreContext, opts: UserOptions = {}) {
  const sessionMs = (opts.sessionHours ?? DEFAULT_SESSION_HOURS) * 3600_000;

  function* userRow$(id: number) {
    const u = yield* get(db.select().from(users).where(eq(users.id, id)));
    if (!u) throw new DomainError('not_found', `no user ${id}`, undefined, `用户 #${id} 不存在`);
    return u;
  }

  function* summary$(id: number): Program<UserSummary> {
    const u = yield* userRow$(id);
    const accs = yield* all(db.select({ name: accounts.name }).from(userAccounts).innerJoin(accounts, eq(accounts.id, userAccounts.accountId)).where(eq(userAccounts.userId, id)).orderBy(asc(accounts.id)));
    return { id: u.id, name: u.name, role: u.role, accounts: accs.map((a) => a.name), disabled: u.disabled, createdAt: u.createdAt, tokenExpiresAt: u.tokenExpiresAt };
  }

  return {
    /** Creates a user and returns the only copy of their token. */
    *addUser(input: NewUser, actor: Actor | null = null): Program<IssuedToken> {
      requireAdmin(actor, 'add users', '添加用户');
      const name = input.name.trim();
      if (!name) throw new DomainError('invalid', 'name is required', 'name', '请填写姓名');
      if (name.length > 100) throw new DomainError('invalid', 'name is longer than 100 characters', 'name', '姓名不能超过 100 个字');
      const at = now();
      const tokenExpiresAt = expiryOf(input.expiresInDays, at);
      const token = newToken();
      const accountIds: number[] = [];
      for (const acc of new Set(input.accounts ?? [])) {
        const row = yield* get(db.select({ id: accounts.id, retiredAt: accounts.retiredAt }).from(accounts).where(eq(accounts.name, acc)));
        if (!row) throw new DomainError('invalid', `unknown account: ${acc}`, 'accounts', `没有名为「${acc}」的账号`);
        // A retired account takes no new posts, so nobody is newly given one.
        if (row.retiredAt) throw new DomainError('conflict', `account ${acc} is retired and cannot be assigned`, 'accounts', `账号「${acc}」已停用，不能分配`);
        accountIds.push(row.id);
      }
      const [u] = yield* all(db.insert(users).values({ name, role: input.role, tokenHash: hashToken(token), tokenExpiresAt }).returning());
      for (const accountId of accountIds) yield* run(db.insert(userAccounts).values({ userId: u!.id, accountId }));
      yield* appendAudit$(
        db,
        { actorId: actor?.id ?? null, action: 'user.add', entityType: 'user', entityId: String(u!.id), data: { name, role: input.role, accounts: [...new Set(input.accounts ?? [])], tokenExpiresAt } },
        at,
      );
      return { id: u!.id, name, role: input.role, token, tokenExpiresAt };
    },

    /** Every user, oldest first, with the names of their accounts. */
    *listUsers(actor: Actor | null = null): Program<UserSummary[]> {
      requireAdmin(actor, 'list users', '查看用户列表');
      const us = yield* all(db.select().from(users).orderBy(asc(users.id)));
      const links = yield* all(
        db.select({ userId: userAccounts.userId, name: accounts.name }).from(userAccounts).innerJoin(accounts, eq(accounts.id, userAccounts.accountId)).orderBy(asc(accounts.id)),
      );
      const byUser = new Map<number, string[]>();
      for (const l of links) byUser.set(l.userId, [...(byUser.get(l.userId) ?? []), l.name]);
      return us.map((u) => ({ id: u.id, name: u.name, role: u.role, accounts: byUser.get(u.id) ?? [], disabled: u.disabled, createdAt: u.createdAt, tokenExpiresAt: u.tokenExpiresAt }));
    },

    /**
     * The user a CLI argument names: `#ID` or a bare number is an id; anything
     * else a name, which must name exactly one user (names are not unique).
     */
    *findUser(ref: string): Program<UserSummary> {
      const r = ref.trim();
      const m = /^#?(\d{1,15})$/.exec(r);
      let id: number;
      if (m) {
        id = Number(m[1]);
      } else {
        const found = yield* all(db.select({ id: users.id, role: users.role }).from(users).where(eq(users.name, r)).orderBy(asc(users.id)));
        if (found.length === 0) throw new DomainError('not_found', `no user named ${r}`, undefined, `没有名为“${r}”的用户`);
        if (found.length > 1) {
          const list = found.map((u) => `#${u.id} (${u.role})`).join(', ');
          throw new DomainError('conflict', `${found.length} users are named ${r}: ${list}; name one by #ID`, undefined, `有 ${found.length} 个用户名为“${r}”：${list}，请用 #编号 指定`);
        }
        id = found[0]!.id;
      }
      return yield* summary$(id);
    },

    /**
     * Disables a user: their token and every session stop working at once.
     * Nobody disables themself, nor the last enabled admin: the bureau must
     * keep someone who can let people in.
     */
    *disableUser(actor: Actor | null, id: number): Program<UserSummary> {
      requireAdmin(actor, 'disable users', '停用用户');
      const u = yield* userRow$(id);
      if (actor && actor.id === id) throw new DomainError('conflict', 'you cannot disable yourself', undefined, '不能停用自己的账户');
      if (u.disabled) throw new DomainError('conflict', `user ${id} is already disabled`, undefined, `用户 #${id} ${u.name} 已是停用状态`);
      if (u.role === 'admin') {
        const others = yield* all(db.select({ id: users.id }).from(users).where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, id))).limit(1));
        if (others.length === 0) throw new DomainError('conflict', 'this is the last enabled admin', undefined, '这是最后一位在用的管理员，不能停用');
      }
      yield* run(db.update(users).set({ disabled: true }).where(eq(users.id, id)));
      yield* run(db.delete(sessions).where(eq(sessions.userId, id)));
      yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'user.disable', entityType: 'user', entityId: String(id), data: { name: u.name, role: u.role } }, now());
      return yield* summary$(id);
    },

    /** Enables a disabled user again; their current token works again (rotate it if it may have leaked). */
    *enableUser(actor: Actor | null, id: number): Program<UserSummary> {
      requireAdmin(actor, 'enable users', '启用用户');
      const u = yield* userRow$(id);
      if (!u.disabled) throw new DomainError('conflict', `user ${id} is not disabled`, undefined, `用户 #${id} ${u.name} 未被停用`);
      yield* run(db.update(users).set({ disabled: false }).where(eq(users.id, id)));
      yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'user.enable', entityType: 'user', entityId: String(id), data: { name: u.name, role: u.role } }, now());
      return yield* summary$(id);
    },

    /** Issues a new token (returned once); the old one and every session stop working at once. */
    *rotateToken(actor: Actor | null, id: number, input: { expiresInDays?: number } = {}): Program<IssuedToken> {
      requireAdmin(actor, 'rotate tokens', '更换令牌');
      const u = yield* userRow$(id);
      const at = now();
      const tokenExpiresAt = expiryOf(input.expiresInDays, at);
      const token = newToken();
      yield* run(db.update(users).set({ tokenHash: hashToken(token), tokenExpiresAt }).where(eq(users.id, id)));
      yield* run(db.delete(sessions).where(eq(sessions.userId, id)));
      yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'user.rotate', entityType: 'user', entityId: String(id), data: { name: u.name, tokenExpiresAt } }, at);
      return { id, name: u.name, role: u.role, token, tokenExpiresAt };
    },

    /** The user a bearer token belongs to; null if unknown, disabled or expired. */
    *authenticate(token: string): Program<Actor | null> {
      const u = yield* getOf(db, USER_BY_TOKEN, { tokenHash: hashToken(token) });
      if (!u || u.disabled || expired(u.tokenExpiresAt, now())) return null;
      return yield* asActor$(db, u);
    },

    /**
     * Signs a token in to the workspace: a new session (LASTGATE_SESSION_HOURS,
     * never past the token's own expiry), audited. A token that does not sign
     * in writes nothing, so failed attempts cannot grow the log.
     */
    *startSession(token: string): Program<StartedSession | null> {
      const u = yield* get(db.select().from(users).where(eq(users.tokenHash, hashToken(token))));
      const at = now();
      if (!u || u.disabled || expired(u.tokenExpiresAt, at)) return null;
      const until = new Date(at.getTime() + sessionMs).toISOString();
      const expiresAt = u.tokenExpiresAt !== null && u.tokenExpiresAt < until ? u.tokenExpiresAt : until;
      const sessionId = newSessionId();
      // Sessions that ran out are of no use to anyone: sweep them on the way.
      yield* run(db.delete(sessions).where(lte(sessions.expiresAt, at.toISOString())));
      yield* run(db.insert(sessions).values({ idHash: hashToken(sessionId), userId: u.id, createdAt: at.toISOString(), expiresAt }));
      yield* appendAudit$(db, { actorId: u.id, action: 'session.start', entityType: 'user', entityId: String(u.id), data: { expiresAt } }, at);
      return { sessionId, expiresAt, actor: yield* asActor$(db, u) };
    },

    /** Who a workspace session belongs to; null once it expired, was ended, or its user was disabled. */
    *sessionActor(sessionId: string): Program<Actor | null> {
      const row = yield* get(
        db
          .select({ id: users.id, name: users.name, role: users.role, disabled: users.disabled, tokenExpiresAt: users.tokenExpiresAt, expiresAt: sessions.expiresAt })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(eq(sessions.idHash, hashToken(sessionId))),
      );
      const at = now();
      if (!row || row.disabled || expired(row.expiresAt, at) || expired(row.tokenExpiresAt, at)) return null;
      return yield* asActor$(db, row);
    },

    /** Signs out: the session is deleted (audited if there was one). */
    *endSession(sessionId: string): Program<void> {
      const [row] = yield* all(db.delete(sessions).where(eq(sessions.idHash, hashToken(sessionId))).returning({ userId: sessions.userId }));
      if (row) yield* appendAudit$(db, { actorId: row.userId, action: 'session.end', entityType: 'user', entityId: String(row.userId) }, now());
    },
  };
}

/** The user with this id as an Actor (scheduled publishing acts as the editor who scheduled). */
export function* actorById$(db: StoreDb, id: number): Program<Actor> {
  const u = yield* get(db.select().from(users).where(eq(users.id, id)));
  if (!u) throw new Error(`no user ${id}`);
  return yield* asActor$(db, u);
}

/** Hot statements (every request authenticates), prepared once (store/program.ts `statement`). */
const USER_BY_TOKEN = statement((db, a: { tokenHash: string }) => db.select().from(users).where(eq(users.tokenHash, a.tokenHash)));
const USER_ACCOUNT_IDS = statement((db, a: { userId: number }) => db.select({ id: userAccounts.accountId }).from(userAccounts).where(eq(userAccounts.userId, a.userId)));

function* asActor$(db: StoreDb, u: { id: number; name: string; role: Role }): Program<Actor> {
  const accs = yield* allOf(db, USER_ACCOUNT_IDS, { userId: u.id });
  return { id: u.id, name: u.name, role: u.role, accountIds: accs.map((a) => a.id) };
}
