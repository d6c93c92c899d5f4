import type { Role } from '../review/transitions.js';

/** Who is acting: a signed-in user, their role, and the accounts they work for (an editor sees and submits only to these). */
export interface Actor {
  id: number;
  name: string;
  role: Role;
  accountIds: number[];
}

/**
 * The accounts whose posts the actor may see, or null for all of them. An
 * editor works only for their accounts (none given: none); a reviewer given
 * accounts (`--account`) reviews only theirs, a reviewer given none reviews the
 * whole matrix; compliance and admins see everything.
 */
export function accountScope(actor: Actor): number[] | null {
  if (actor.role === 'editor') return actor.accountIds;
  if (actor.role === 'reviewer' && actor.accountIds.length > 0) return actor.accountIds;
  return null;
}

/** Whether a post of `accountId` is within the actor's scope. */
export function inScope(actor: Actor, accountId: number): boolean {
  const scope = accountScope(actor);
  return scope === null || scope.includes(accountId);
}
