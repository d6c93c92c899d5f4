/** Role checks shared by the store, the rule administration and the HTTP API. */
import { DomainError } from '../store/errors.js';
import type { Role } from '../review/transitions.js';

/** Compliance officers and admins tune rules, thresholds, the registry and cleanup; nobody else. */
export function requireCompliance(actor: { role: Role }, what: string): void {
  if (actor.role !== 'compliance' && actor.role !== 'admin') throw new DomainError('forbidden', `role ${actor.role} may not ${what}`);
}
