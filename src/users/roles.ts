/** Role checks shared by the store, the rule administration and the HTTP API. */
import { DomainError } from '../store/errors.js';
import type { Role } from '../review/transitions.js';

/** Compliance officers and admins tune rules, thresholds, the registry and cleanup; nobody else. */
export const COMPLIANCE_ROLES: readonly Role[] = ['compliance', 'admin'];

export function requireCompliance(actor: { role: Role }, what: string): void {
  if (!COMPLIANCE_ROLES.includes(actor.role)) throw new DomainError('forbidden', `role ${actor.role} may not ${what}`, undefined, '只有合规审查人员和管理员可以执行此操作');
}
