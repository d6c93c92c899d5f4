/**
 * The accounts of the matrix: the list of accounts, adding, renaming, moving
 * to another unit, retiring and reinstating one (admin), each account's
 * publish window and publisher (admin), the accounts an actor may submit to,
 * and freshness: how long since each account in use last published (or
 * joined, if it never did), with one webhook alert per account, level and
 * lapse (freshness.ts).
 *
 * A retired account takes no new posts (posts/programs.ts submitPost), and
 * editors are no longer offered it; work already in flight finishes: a post
 * of it may still get new versions, be reviewed and be published, and its
 * published archive is still cleaned up. It is left out of freshness.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { accounts, accountSettings, freshnessAlerts, units } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { afterCommit, all, get, rows, run, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { isoToDay } from '../review/dates.js';
import { isValidTimeOfDay } from '../publish/window.js';
import { enqueueEvent$, newWebhookSecret } from '../webhooks/delivery.js';
import type { Actor } from '../users/actor.js';
import { checkName, requireAdmin, unitByName$, type MatrixActor } from '../units/programs.js';
import { daysBetween, freshnessLevel, type Freshness } from './freshness.js';

export const PLATFORMS = accounts.platform.enumValues;
export type Platform = (typeof PLATFORMS)[number];

/** An account of the matrix as the account list shows it. */
export interface AccountView {
  id: number;
  name: string;
  platform: Platform;
  unit: string | null;
  unitId: number | null;
  lead: boolean;
  joinedAt: string | null;
  /** null: in use. */
  retiredAt: string | null;
  /** Admins only: the publish window and publisher (null: none set, publishes at any time, by hand). */
  settings?: { windowStart: string | null; windowEnd: string | null; windowDays: string | null; publisher: 'manual' | 'webhook'; publisherUrl: string | null } | null;
}

export interface NewAccount {
  name: string;
  platform: string;
  unit: string;
  lead?: boolean;
}

/** What PATCH /api/accounts/{name} may change; several at once in one transaction. */
export interface AccountPatch {
  name?: string;
  unit?: string;
  lead?: boolean;
  /** true retires the account, false reinstates it. */
  retired?: boolean;
}

export interface AccountSettingsInput {
  windowStart?: string | null;
  windowEnd?: string | null;
  windowDays?: string | null;
  publisher?: 'manual' | 'webhook';
  publisherUrl?: string | null;
}

export function accountPrograms({ db, now, onWebhook }: StoreContext) {
  /** Accounts in use only: a retired account is not inspected any more. */
  function* accountFreshness(today: string): Program<Freshness[]> {
    const fields = { accountId: sql<number>`a.id`, account: sql<string>`a.name`, joinedAt: sql<string | null>`a.joined_at`, last: sql<string | null>`(SELECT max(published_at) FROM publications WHERE account_id = a.id)` };
    const accountRows = yield* rows(fields, db.select(fields).from(sql`accounts a`).where(sql`a.retired_at IS NULL`).orderBy(sql`a.id`));
    return accountRows.map((r) => {
      const since = r.last ?? r.joinedAt;
      // Asked about a day before the account joined (or last published): no lapse yet.
      const days = since ? Math.max(0, daysBetween(isoToDay(since), today)) : null;
      return { account: r.account, accountId: r.accountId, lastPublishedAt: r.last, joinedAt: r.joinedAt, since, days, level: freshnessLevel(days) };
    });
  }

  function* accountViews(actor: MatrixActor, where: { id?: number; includeRetired: boolean }): Program<AccountView[]> {
    const list = yield* all(
      db
        .select({ a: accounts, unit: units.name, s: accountSettings })
        .from(accounts)
        .leftJoin(units, eq(units.id, accounts.unitId))
        .leftJoin(accountSettings, eq(accountSettings.accountId, accounts.id))
        .where(and(where.id !== undefined ? eq(accounts.id, where.id) : undefined, where.includeRetired ? undefined : isNull(accounts.retiredAt)))
        .orderBy(asc(accounts.id)),
    );
    const admin = actor === null || actor.role === 'admin';
    return list
      .filter(({ a }) => actor === null || actor.role !== 'editor' || actor.accountIds.includes(a.id))
      .map(({ a, unit, s }) => ({
        id: a.id,
        name: a.name,
        platform: a.platform,
        unit,
        unitId: a.unitId,
        lead: a.lead,
        joinedAt: a.joinedAt,
        retiredAt: a.retiredAt,
        ...(admin ? { settings: s ? { windowStart: s.windowStart, windowEnd: s.windowEnd, windowDays: s.windowDays, publisher: s.publisher, publisherUrl: s.publisherUrl } : null } : {}),
      }));
  }

  function* accountView(id: number): Program<AccountView> {
    return (yield* accountViews(null, { id, includeRetired: true }))[0]!;
  }

  function* accountByName(name: string) {
    const acc = yield* get(db.select().from(accounts).where(eq(accounts.name, name)));
    if (!acc) throw new DomainError('not_found', `unknown account: ${name}`, undefined, `没有找到账号「${name}」`);
    return acc;
  }

  function* refuseDuplicate(name: string, exceptId?: number): Program<void> {
    const other = yield* get(db.select({ id: accounts.id }).from(accounts).where(eq(accounts.name, name)));
    if (other && other.id !== exceptId) throw new DomainError('conflict', `an account named ${name} already exists`, 'name', `已有名为「${name}」的账号`);
  }

  /**
   * Applies a patch to one account, each change audited on its own
   * (account.rename, account.move, account.lead, account.retire,
   * account.reinstate). Retiring a retired account, or reinstating one in use, is 409.
   */
  function* updateAccount(actor: MatrixActor, account: string, patch: AccountPatch): Program<AccountView> {
    requireAdmin(actor, 'change accounts', '修改账号');
    if (patch.name === undefined && patch.unit === undefined && patch.lead === undefined && patch.retired === undefined) {
      throw new DomainError('invalid', 'nothing to change: give name, unit, lead or retired', 'request', '没有要修改的内容');
    }
    const newName = patch.name === undefined ? undefined : checkName(patch.name, 'name', '账号名称');
    const acc = yield* accountByName(account);
    const audit = (action: string, data: Record<string, unknown>) => appendAudit$(db, { actorId: actor?.id ?? null, action, entityType: 'account', entityId: String(acc.id), data: { account: acc.name, ...data } }, now());
    if (newName !== undefined && newName !== acc.name) {
      yield* refuseDuplicate(newName, acc.id);
      yield* run(db.update(accounts).set({ name: newName }).where(eq(accounts.id, acc.id)));
      yield* audit('account.rename', { from: acc.name, to: newName });
    }
    if (patch.unit !== undefined) {
      const unit = yield* unitByName$(db, checkName(patch.unit, 'unit', '单位'));
      if (unit.id !== acc.unitId) {
        const from = acc.unitId === null ? null : ((yield* get(db.select({ name: units.name }).from(units).where(eq(units.id, acc.unitId))))?.name ?? null);
        yield* run(db.update(accounts).set({ unitId: unit.id }).where(eq(accounts.id, acc.id)));
        yield* audit('account.move', { fromUnit: from, toUnit: unit.name });
      }
    }
    if (patch.lead !== undefined && patch.lead !== acc.lead) {
      yield* run(db.update(accounts).set({ lead: patch.lead }).where(eq(accounts.id, acc.id)));
      yield* audit('account.lead', { lead: patch.lead });
    }
    if (patch.retired === true) {
      if (acc.retiredAt) throw new DomainError('conflict', `account ${acc.name} is already retired`, 'retired', `账号「${acc.name}」已经停用`);
      const at = now().toISOString();
      yield* run(db.update(accounts).set({ retiredAt: at }).where(eq(accounts.id, acc.id)));
      yield* audit('account.retire', { retiredAt: at });
    } else if (patch.retired === false) {
      if (!acc.retiredAt) throw new DomainError('conflict', `account ${acc.name} is in use, not retired`, 'retired', `账号「${acc.name}」在用，无需恢复`);
      yield* run(db.update(accounts).set({ retiredAt: null }).where(eq(accounts.id, acc.id)));
      yield* audit('account.reinstate', { retiredAt: acc.retiredAt });
    }
    return yield* accountView(acc.id);
  }

  return {
    /**
     * The accounts an actor sees: an editor their own, everyone else all of
     * them; admins (and the operator, null) also see each account's publish
     * settings. Retired accounts only with `includeRetired`.
     */
    *listAccountViews(actor: MatrixActor, opts: { includeRetired?: boolean } = {}): Program<AccountView[]> {
      return yield* accountViews(actor, { includeRetired: opts.includeRetired ?? false });
    },

    /** Adds an account to the matrix (admin), joining now. A name in use is 409; an unknown unit or platform 400. */
    *addAccount(actor: MatrixActor, input: NewAccount): Program<AccountView> {
      requireAdmin(actor, 'add accounts', '添加账号');
      const name = checkName(input.name, 'name', '账号名称');
      if (!(PLATFORMS as readonly string[]).includes(input.platform)) {
        throw new DomainError('invalid', `platform must be one of ${PLATFORMS.join(', ')}`, 'platform', '平台须为微信公众号、微博、网站或其他之一');
      }
      const unit = yield* unitByName$(db, checkName(input.unit, 'unit', '单位'));
      yield* refuseDuplicate(name);
      const joinedAt = now().toISOString();
      const [acc] = yield* all(db.insert(accounts).values({ name, platform: input.platform as Platform, unitId: unit.id, lead: input.lead ?? false, joinedAt }).returning());
      yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'account.add', entityType: 'account', entityId: String(acc!.id), data: { name, platform: input.platform, unit: unit.name, lead: input.lead ?? false, joinedAt } }, now());
      return yield* accountView(acc!.id);
    },

    updateAccount,

    /** Renames an account (admin); posts, users and settings keep following it (they refer to its id). */
    *renameAccount(actor: MatrixActor, account: string, name: string): Program<AccountView> {
      return yield* updateAccount(actor, account, { name });
    },

    /** Moves an account to another unit (admin). */
    *moveAccount(actor: MatrixActor, account: string, unit: string): Program<AccountView> {
      return yield* updateAccount(actor, account, { unit });
    },

    /** Retires an account (admin): no new posts; work in flight finishes; left out of freshness. */
    *retireAccount(actor: MatrixActor, account: string): Program<AccountView> {
      return yield* updateAccount(actor, account, { retired: true });
    },

    /** Puts a retired account back in use (admin); its lapse counts from its last publication (or joining) again. */
    *reinstateAccount(actor: MatrixActor, account: string): Program<AccountView> {
      return yield* updateAccount(actor, account, { retired: false });
    },

    /** Sets an account's publish window and publisher (admin). */
    *setAccountSettings(actor: Actor, account: string, input: AccountSettingsInput) {
      requireAdmin(actor, 'change account settings', '修改账号发布设置');
      for (const f of ['windowStart', 'windowEnd'] as const) {
        const v = input[f];
        if (v != null && !isValidTimeOfDay(v)) throw new DomainError('invalid', `${f} must be HH:MM`, f, '时间须为 HH:MM 格式（如 08:30）');
      }
      if ((input.windowStart == null) !== (input.windowEnd == null)) throw new DomainError('invalid', 'windowStart and windowEnd go together', 'windowEnd', '发布时段的开始和结束时间须同时填写');
      if (input.windowDays != null && !/^[1-7]{1,7}$/.test(input.windowDays)) throw new DomainError('invalid', 'windowDays lists ISO weekdays 1–7, e.g. 12345', 'windowDays', '发布日须为 1–7 的星期数字（如 12345 表示周一至周五）');
      if (input.publisher === 'webhook' && !input.publisherUrl) throw new DomainError('invalid', 'a webhook publisher needs publisherUrl', 'publisherUrl', '选择 Webhook 发布时须填写发布地址');
      const acc = yield* accountByName(account);
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

    /** Account names the actor may submit to (accounts in use only). */
    *listAccounts(actor: Actor): Program<string[]> {
      return (yield* accountViews(actor, { includeRetired: false })).map((a) => a.name);
    },

    /** Freshness of every account as of `today` (YYYY-MM-DD). */
    accountFreshness,

    /**
     * Sends one webhook alert per account, level and lapse; returns the alerts
     * raised. A lapse is identified by the last publication, or '' for an
     * account that never published (counted from joining): each level once.
     */
    *raiseFreshnessAlerts(today: string): Program<Freshness[]> {
      const raised: Freshness[] = [];
      for (const f of yield* accountFreshness(today)) {
        if (f.level === 'ok' || f.days === null) continue;
        const inserted = yield* all(db.insert(freshnessAlerts).values({ accountId: f.accountId, level: f.level, since: f.lastPublishedAt ?? '' }).onConflictDoNothing().returning());
        if (inserted.length === 0) continue;
        yield* enqueueEvent$(db, { event: 'account.freshness', account: f.account, accountId: f.accountId, level: f.level, days: f.days, lastPublishedAt: f.lastPublishedAt, since: f.since, at: now().toISOString() });
        yield* afterCommit(onWebhook);
        yield* appendAudit$(db, { actorId: null, action: `account.freshness.${f.level}`, entityType: 'account', entityId: String(f.accountId), data: { days: f.days, lastPublishedAt: f.lastPublishedAt, since: f.since } }, now());
        raised.push(f);
      }
      return raised;
    },
  };
}
