/**
 * The post lifecycle: one table of allowed transitions and one pure function.
 *
 * submitted → machine review → (changes_requested | pending_review) → human
 * review (1 or 2 approvals by risk) → approved → scheduled → published →
 * (cleanup) withdrawn | annotated | kept.
 *
 * HTTP, queue and database adapters ask `transition()` what happens and apply
 * the answer; they add no rules of their own. The database enforces the
 * invariants again (see drizzle/0001_invariants.sql).
 */
import type { Verdict } from './types.js';

export type PostStatus =
  | 'submitted'
  | 'changes_requested'
  | 'pending_review'
  | 'approved'
  | 'rejected'
  | 'scheduled'
  | 'published'
  | 'withdrawn'
  | 'annotated';

export type Role = 'editor' | 'reviewer' | 'compliance' | 'admin';

export type PostEvent =
  /** Machine review finished for the current version. */
  | { type: 'machine_reviewed'; verdict: Verdict }
  /** A compliance officer overrides a machine block, with a stated reason. */
  | { type: 'override_block'; reason: string }
  /** A reviewer approved; `approvals` counts distinct approvers of this version including this one. */
  | { type: 'approve'; approvals: number; required: number }
  | { type: 'reject'; reason: string }
  | { type: 'request_changes'; reason: string }
  | { type: 'escalate'; reason: string }
  /** The editor submits a new version. */
  | { type: 'resubmit' }
  | { type: 'schedule' }
  | { type: 'publish' }
  | { type: 'withdraw'; reason: string }
  | { type: 'annotate'; reason: string };

export type EventType = PostEvent['type'];

/** Who may cause each event (the author/separation-of-duties checks come on top). */
export const EVENT_ROLES: Record<EventType, readonly Role[] | 'system'> = {
  machine_reviewed: 'system',
  override_block: ['compliance'],
  approve: ['reviewer', 'compliance'],
  reject: ['reviewer', 'compliance'],
  request_changes: ['reviewer', 'compliance'],
  escalate: ['reviewer', 'compliance'],
  resubmit: ['editor', 'admin'],
  schedule: ['editor', 'admin'],
  publish: ['editor', 'admin'],
  withdraw: ['editor', 'compliance', 'admin'],
  annotate: ['editor', 'compliance', 'admin'],
};

/** Events that decide on someone's post: the author may never cause them. */
export const DECIDING_EVENTS: ReadonlySet<EventType> = new Set([
  'override_block',
  'approve',
  'reject',
  'request_changes',
  'escalate',
]);

/** From each status, the events that are allowed at all. */
export const TRANSITIONS: Record<PostStatus, readonly EventType[]> = {
  submitted: ['machine_reviewed', 'resubmit'],
  changes_requested: ['resubmit', 'override_block'],
  pending_review: ['approve', 'reject', 'request_changes', 'escalate', 'resubmit'],
  approved: ['schedule', 'publish', 'resubmit'],
  rejected: ['resubmit'],
  scheduled: ['publish', 'resubmit'],
  published: ['withdraw', 'annotate'],
  withdrawn: [],
  annotated: ['withdraw', 'annotate'],
};

export type TransitionResult =
  | { ok: true; to: PostStatus }
  | { ok: false; code: 'not_allowed' | 'invalid'; message: string };

function reasonRequired(reason: string): boolean {
  return reason.trim().length > 0;
}

/** The status a post moves to when `event` happens in `from`, or why it cannot. */
export function transition(from: PostStatus, event: PostEvent): TransitionResult {
  if (!TRANSITIONS[from].includes(event.type)) {
    return { ok: false, code: 'not_allowed', message: `cannot ${event.type} a post that is ${from}` };
  }
  switch (event.type) {
    case 'machine_reviewed':
      return { ok: true, to: event.verdict === 'block' ? 'changes_requested' : 'pending_review' };
    case 'override_block':
      if (!reasonRequired(event.reason)) return { ok: false, code: 'invalid', message: 'an override needs a reason' };
      return { ok: true, to: 'pending_review' };
    case 'approve':
      if (event.required < 1 || event.approvals < 1) {
        return { ok: false, code: 'invalid', message: 'approval counts must be positive' };
      }
      return { ok: true, to: event.approvals >= event.required ? 'approved' : 'pending_review' };
    case 'reject':
    case 'request_changes':
    case 'escalate':
    case 'withdraw':
    case 'annotate':
      if (!reasonRequired(event.reason)) {
        return { ok: false, code: 'invalid', message: `${event.type} needs a reason` };
      }
      return {
        ok: true,
        to: {
          reject: 'rejected',
          request_changes: 'changes_requested',
          escalate: 'pending_review',
          withdraw: 'withdrawn',
          annotate: 'annotated',
        }[event.type] as PostStatus,
      };
    case 'resubmit':
      return { ok: true, to: 'submitted' };
    case 'schedule':
      return { ok: true, to: 'scheduled' };
    case 'publish':
      return { ok: true, to: 'published' };
  }
}

export type Permission = { ok: true } | { ok: false; code: 'forbidden'; message: string };

/**
 * Whether `actor` may cause `event` on a post written by `authorId`: role table
 * plus separation of duties (nobody decides on their own post).
 */
export function mayAct(actor: { id: number; role: Role }, event: EventType, authorId: number): Permission {
  const roles = EVENT_ROLES[event];
  if (roles === 'system') return { ok: false, code: 'forbidden', message: `${event} is done by the system only` };
  if (!roles.includes(actor.role)) {
    return { ok: false, code: 'forbidden', message: `role ${actor.role} may not ${event}` };
  }
  if (DECIDING_EVENTS.has(event) && actor.id === authorId) {
    return { ok: false, code: 'forbidden', message: 'separation of duties: you cannot decide on your own post' };
  }
  return { ok: true };
}
