/** Users and their bearer tokens (users/tokens.ts): creating a user, signing a token in. */
import { eq } from 'drizzle-orm';
import { accounts, userAccounts, users } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, run, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { Role } from '../review/transitions.js';
import { hashToken, newToken } from './tokens.js';
import type { Actor } from './actor.js';

export function userPrograms({ db, now }: StoreContext) {
  return {
    /** Creates a user and returns the only copy of their token. */
    *addUser(input: { name: string; role: Role; accounts?: string[] }, actorId: number | null = null): Program<{ id: number; token: string }> {
      const token = newToken();
      const accountIds: number[] = [];
      for (const name of input.accounts ?? []) {
        const acc = yield* get(db.select({ id: accounts.id }).from(accounts).where(eq(accounts.name, name)));
        if (!acc) throw new DomainError('invalid', `unknown account: ${name}`, 'account');
        accountIds.push(acc.id);
      }
      const [u] = yield* all(db.insert(users).values({ name: input.name, role: input.role, tokenHash: hashToken(token) }).returning());
      for (const accountId of accountIds) yield* run(db.insert(userAccounts).values({ userId: u!.id, accountId }));
      yield* appendAudit$(db, { actorId, action: 'user.add', entityType: 'user', entityId: String(u!.id), data: { name: input.name, role: input.role, accounts: input.accounts ?? [] } }, now());
      return { id: u!.id, token };
    },

    *authenticate(token: string): Program<Actor | null> {
      const u = yield* get(db.select().from(users).where(eq(users.tokenHash, hashToken(token))));
      if (!u || u.disabled) return null;
      return yield* asActor$(db, u);
    },
  };
}

/** The user with this id as an Actor (scheduled publishing acts as the editor who scheduled). */
export function* actorById$(db: StoreDb, id: number): Program<Actor> {
  const u = yield* get(db.select().from(users).where(eq(users.id, id)));
  if (!u) throw new Error(`no user ${id}`);
  return yield* asActor$(db, u);
}

function* asActor$(db: StoreDb, u: { id: number; name: string; role: Role }): Program<Actor> {
  const accs = yield* all(db.select({ id: userAccounts.accountId }).from(userAccounts).where(eq(userAccounts.userId, u.id)));
  return { id: u.id, name: u.name, role: u.role, accountIds: accs.map((a) => a.id) };
}
