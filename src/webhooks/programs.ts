/** Webhook registrations: an admin or compliance officer subscribes a URL to one account's events, or to all. */
import { eq } from 'drizzle-orm';
import { accounts, webhooks } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { Actor } from '../users/actor.js';
import { newWebhookSecret } from './delivery.js';

export function webhookPrograms({ db, now }: StoreContext) {
  return {
    /** Registers a signed webhook for one account (or all); returns its secret once. */
    *addWebhook(actor: Actor, input: { account?: string; url: string }): Program<{ id: number; secret: string }> {
      if (actor.role !== 'admin' && actor.role !== 'compliance') throw new DomainError('forbidden', `role ${actor.role} may not manage webhooks`);
      let accountId: number | null = null;
      if (input.account) {
        const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, input.account)));
        if (!acc) throw new DomainError('invalid', `unknown account: ${input.account}`, 'account');
        accountId = acc.id;
      }
      const secret = newWebhookSecret();
      const [row] = yield* all(db.insert(webhooks).values({ accountId, url: input.url, secret, createdBy: actor.id }).returning({ id: webhooks.id }));
      yield* appendAudit$(db, { actorId: actor.id, action: 'webhook.add', entityType: 'webhook', entityId: String(row!.id), data: { account: input.account ?? null, url: input.url } }, now());
      return { id: row!.id, secret };
    },
  };
}
