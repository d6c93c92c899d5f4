/** Reason templates: the stock reasons compliance keeps for rejecting, requesting changes, escalating and overriding. */
import { asc, eq } from 'drizzle-orm';
import { reasonTemplates } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { requireCompliance } from '../users/roles.js';
import type { Actor } from '../users/actor.js';

export interface ReasonTemplate {
  id: number;
  decision: 'reject' | 'request_changes' | 'escalate' | 'override';
  text: string;
}

export function reasonTemplatePrograms({ db, now }: StoreContext) {
  return {
    *listReasonTemplates(): Program<ReasonTemplate[]> {
      return yield* all(db.select({ id: reasonTemplates.id, decision: reasonTemplates.decision, text: reasonTemplates.text }).from(reasonTemplates).where(eq(reasonTemplates.active, true)).orderBy(asc(reasonTemplates.id)));
    },

    *addReasonTemplate(actor: Actor, t: Omit<ReasonTemplate, 'id'>): Program<ReasonTemplate> {
      requireCompliance(actor, 'manage reason templates');
      if (!t.text.trim()) throw new DomainError('invalid', 'text must not be empty', 'text', '理由模板内容不能为空');
      const [row] = yield* all(db.insert(reasonTemplates).values({ decision: t.decision, text: t.text.trim(), createdBy: actor.id }).returning());
      yield* appendAudit$(db, { actorId: actor.id, action: 'reason_template.add', entityType: 'reason_template', entityId: String(row!.id), data: { decision: t.decision, text: row!.text } }, now());
      return { id: row!.id, decision: row!.decision, text: row!.text };
    },

    *disableReasonTemplate(actor: Actor, id: number): Program<void> {
      requireCompliance(actor, 'manage reason templates');
      // RETURNING rather than the run result's change count, which each driver reports differently.
      const changed = yield* all(db.update(reasonTemplates).set({ active: false }).where(eq(reasonTemplates.id, id)).returning({ id: reasonTemplates.id }));
      if (changed.length === 0) throw new DomainError('not_found', `no reason template ${id}`, undefined, '理由模板不存在');
      yield* appendAudit$(db, { actorId: actor.id, action: 'reason_template.disable', entityType: 'reason_template', entityId: String(id), data: {} }, now());
    },
  };
}
