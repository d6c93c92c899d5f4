/**
 * The accounts of the matrix: each account's publish window and publisher
 * (admin), the accounts an actor may submit to, and freshness: how long since
 * each account last published, with one webhook alert per account, level and
 * lapse (freshness.ts).
 */
import { asc, eq, sql } from 'drizzle-orm';
import { accounts, accountSettings, freshnessAlerts } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { afterCommit, all, get, rows, run, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { isoToDay } from '../review/dates.js';
import { isValidTimeOfDay } from '../publish/window.js';
import { enqueueEvent$, newWebhookSecret } from '../webhooks/delivery.js';
import type { Actor } from '../users/actor.js';
import { daysBetween, freshnessLevel, type Freshness } from './freshness.js';

export interface AccountSettingsInput {
  windowStart?: string | null;
  windowEnd?: string | null;
  windowDays?: string | null;
  publisher?: 'manual' | 'webhook';
  publisherUrl?: string | null;
}

export function accountPrograms({ db, now, onWebhook }: StoreContext) {
  function* accountFreshness(today: string): Program<Freshness[]> {
    const fields = { accountId: sql<number>`a.id`, account: sql<string>`a.name`, last: sql<string | null>`(SELECT max(published_at) FROM publications WHERE account_id = a.id)` };
    const accountRows = yield* rows(fields, db.select(fields).from(sql`accounts a`).orderBy(sql`a.id`));
    return accountRows.map((r) => {
      const days = r.last ? daysBetween(isoToDay(r.last), today) : null;
      return { account: r.account, accountId: r.accountId, lastPublishedAt: r.last, days, level: freshnessLevel(days) };
    });
  }

  return {
    /** Sets an account's publish window and publisher (admin). */
    *setAccountSettings(actor: Actor, account: string, input: AccountSettingsInput) {
      if (actor.role !== 'admin') throw new DomainError('forbidden', 'only an admin may change account settings');
      for (const f of ['windowStart', 'windowEnd'] as const) {
        const v = input[f];
        if (v != null && !isValidTimeOfDay(v)) throw new DomainError('invalid', `${f} must be HH:MM`, f);
      }
      if ((input.windowStart == null) !== (input.windowEnd == null)) throw new DomainError('invalid', 'windowStart and windowEnd go together', 'windowEnd');
      if (input.windowDays != null && !/^[1-7]{1,7}$/.test(input.windowDays)) throw new DomainError('invalid', 'windowDays lists ISO weekdays 1–7, e.g. 12345', 'windowDays');
      if (input.publisher === 'webhook' && !input.publisherUrl) throw new DomainError('invalid', 'a webhook publisher needs publisherUrl', 'publisherUrl');
      const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, account)));
      if (!acc) throw new DomainError('not_found', `unknown account: ${account}`);
      const secret = input.publisher === 'webhook' ? newWebhookSecret() : null;
      const values = {
        windowStart: input.windowStart ?? null,
        windowEnd: input.windowEnd ?? null,
        windowDays: input.windowDays ?? null,
        publisher: input.publisher ?? 'manual',
        publisherUrl: input.publisherUrl ?? null,
        publisherSecret: secret,
      };
      yield* run(db.insert(accountSettings).values({ accountId: acc.id, ...values }).onConflictDoUpdate({ target: accountSettings.accountId, set: values }));
      yield* appendAudit$(db, { actorId: actor.id, action: 'account.settings', entityType: 'account', entityId: String(acc.id), data: { ...values, publisherSecret: secret ? '(new)' : null } }, now());
      return { account, ...values };
    },

    /** Account names the actor may submit to. */
    *listAccounts(actor: Actor): Program<string[]> {
      const rows = yield* all(db.select({ id: accounts.id, name: accounts.name }).from(accounts).orderBy(asc(accounts.id)));
      return rows.filter((r) => actor.role !== 'editor' || actor.accountIds.includes(r.id)).map((r) => r.name);
    },

    /** Freshness of every account as of `today` (YYYY-MM-DD). */
    accountFreshness,

    /** Sends one webhook alert per account, level and lapse; returns the alerts raised. */
    *raiseFreshnessAlerts(today: string): Program<Freshness[]> {
      const raised: Freshness[] = [];
      for (const f of yield* accountFreshness(today)) {
        if (f.level === 'ok' || f.days === null) continue;
        const inserted = yield* all(db.insert(freshnessAlerts).values({ accountId: f.accountId, level: f.level, since: f.lastPublishedAt ?? '' }).onConflictDoNothing().returning());
        if (inserted.length === 0) continue;
        yield* enqueueEvent$(db, { event: 'account.freshness', account: f.account, accountId: f.accountId, level: f.level, days: f.days, lastPublishedAt: f.lastPublishedAt, at: now().toISOString() });
        yield* afterCommit(onWebhook);
        yield* appendAudit$(db, { actorId: null, action: `account.freshness.${f.level}`, entityType: 'account', entityId: String(f.accountId), data: { days: f.days, lastPublishedAt: f.lastPublishedAt } }, now());
        raised.push(f);
      }
      return raised;
    },
  };
}
