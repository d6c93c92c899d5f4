/**
 * Publishing: an approved post goes out through its account's publisher
 * (publisher.ts), now or at a scheduled time, inside the account's publish
 * window (window.ts) and after any embargo unless a person states a reason.
 * Each publication records the exact version, platform, URL and time.
 */
import { and, eq, lte } from 'drizzle-orm';
import { accounts, accountSettings, posts, publications, schedules } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, run, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { PostStatus } from '../review/transitions.js';
import { TIME_ZONE } from '../review/dates.js';
import { currentVersion$, loadPost$, move, setStatus$ } from '../posts/records.js';
import { linkCitations$ } from '../policy/programs.js';
import { actorById$ } from '../users/programs.js';
import type { Actor } from '../users/actor.js';
import { insideWindow } from './window.js';
import { ManualPublisher, publishKey, WebhookPublisher, type Publisher } from './publisher.js';

/** Why `at` falls outside the account's publish window, or null (also when it has none). */
function outsideWindow(settings: { windowStart: string | null; windowEnd: string | null; windowDays: string | null } | undefined, at: Date): string | null {
  if (!settings?.windowStart || !settings.windowEnd) return null;
  const days = settings.windowDays ? [...settings.windowDays].map(Number) : [];
  if (insideWindow({ start: settings.windowStart, end: settings.windowEnd, days }, at, TIME_ZONE)) return null;
  return `outside the account's publish window (${settings.windowStart}–${settings.windowEnd}${days.length ? `, weekdays ${days.join('')}` : ''}, ${TIME_ZONE})`;
}

type PublishTarget = { platform?: string; url?: string; overrideReason?: string };
type Published = { id: string; status: PostStatus; publicationId: number; url: string | null };

export function publishPrograms(ctx: StoreContext) {
  const { db, now, run: runner } = ctx;
  /** Posts whose publisher call is under way (see publish). */
  const publishing = new Set<string>();

  /**
   * Why publishing `post` now would break its account's rules (publish window,
   * embargo), or null. Overridable only with a stated reason.
   */
  function* timingProblem(accountId: number, postId: string, at: Date): Program<string | null> {
    const settings = yield* get(db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)));
    const schedule = yield* get(db.select().from(schedules).where(eq(schedules.postId, postId)));
    if (schedule?.embargoUntil && at.toISOString() < schedule.embargoUntil) return `embargoed until ${schedule.embargoUntil}`;
    return outsideWindow(settings, at);
  }

  function* publisherFor(accountId: number): Program<Publisher> {
    const settings = yield* get(db.select().from(accountSettings).where(eq(accountSettings.accountId, accountId)));
    if (settings?.publisher === 'webhook' && settings.publisherUrl) return new WebhookPublisher(settings.publisherUrl, settings.publisherSecret ?? '');
    return new ManualPublisher();
  }

  /** What publishing needs before the publisher is called: checks, the version and the publisher. */
  function* preparePublish(actor: Actor, postId: string, target: { overrideReason?: string }) {
    const post0 = yield* loadPost$(db, actor, postId);
    if (actor.role === 'editor' && !actor.accountIds.includes(post0.accountId)) {
      throw new DomainError('forbidden', 'you may not publish for this account');
    }
    move(actor, post0, { type: 'publish' });
    const problem = yield* timingProblem(post0.accountId, postId, now());
    const override = target.overrideReason?.trim() ?? '';
    if (problem && !override) throw new DomainError('conflict', `${problem}; publishing now needs an override with a reason`, 'overrideReason');
    const version = yield* currentVersion$(db, post0);
    const account = (yield* get(db.select().from(accounts).where(eq(accounts.id, post0.accountId))))!;
    const publisher = yield* publisherFor(post0.accountId);
    return { problem, override, version, account, publisher };
  }

  async function publishOnce(actor: Actor, postId: string, target: PublishTarget): Promise<Published> {
    const { problem, override, version, account, publisher } = await runner(preparePublish(actor, postId, target), 'read');
    const out = await publisher
      .publish({
        postId,
        version: version.version,
        idempotencyKey: publishKey(postId, version.version),
        account: account.name,
        platform: target.platform ?? version.platform,
        title: version.title,
        body: version.body,
        ...(target.url ? { url: target.url } : {}),
      })
      .catch((err: Error) => {
        throw new DomainError('upstream', `the account's publisher failed; nothing was published: ${err.message}`);
      });
    return runner(
      (function* () {
        const post = yield* loadPost$(db, actor, postId);
        if (post.currentVersion !== version.version) throw new DomainError('conflict', 'a new version was submitted meanwhile');
        const to = move(actor, post, { type: 'publish' });
        const [pub] = yield* all(
          db
            .insert(publications)
            .values({ postId, versionId: version.id, accountId: post.accountId, publishedBy: actor.id, platform: out.platform, url: out.url, publishedAt: now().toISOString() })
            .returning({ id: publications.id }),
        );
        yield* run(db.delete(schedules).where(eq(schedules.postId, postId)));
        yield* setStatus$(ctx, post, to, actor.id);
        yield* linkCitations$(db, postId, version.id, version.title, version.body);
        yield* appendAudit$(db, { actorId: actor.id, action: 'post.publish', entityType: 'post', entityId: postId, data: { from: post.status, to, version: post.currentVersion, publicationId: pub!.id, url: out.url, ...(problem ? { override: override, problem } : {}) } }, now());
        return { id: postId, status: to, publicationId: pub!.id, url: out.url };
      })(),
      'write',
    );
  }

  /**
   * Publishes the current, approved version through the account's publisher and
   * records one publication (platform, URL, time, exact version). Outside the
   * publish window or before an embargo it needs `overrideReason`.
   */
  async function publish(actor: Actor, postId: string, target: PublishTarget): Promise<Published> {
    // One publication at a time per post in this process; across servers the publisher's idempotency key holds.
    if (publishing.has(postId)) throw new DomainError('conflict', 'this post is being published; wait for that to finish');
    publishing.add(postId);
    try {
      return await publishOnce(actor, postId, target);
    } finally {
      publishing.delete(postId);
    }
  }

  /** Scheduled posts whose time has come, with their publisher's kind. */
  function* duePosts() {
    const rows = yield* all(
      db
        .select({ s: schedules, accountId: posts.accountId })
        .from(schedules)
        .innerJoin(posts, eq(posts.id, schedules.postId))
        .where(and(eq(posts.status, 'scheduled'), lte(schedules.publishAt, now().toISOString()))),
    );
    const out: Array<{ postId: string; scheduledBy: number; overrideReason: string | null; manual: boolean }> = [];
    for (const r of rows) {
      const manual = (yield* publisherFor(r.accountId)).kind === 'manual';
      out.push({ postId: r.s.postId, scheduledBy: r.s.scheduledBy, overrideReason: r.s.overrideReason, manual });
    }
    return out;
  }

  return {
    publish,

    /** Schedules an approved post; a time outside the window or an embargo needs a reason. */
    *schedulePost(actor: Actor, postId: string, input: { publishAt: string; embargoUntil?: string; overrideReason?: string }): Program<{ id: string; status: PostStatus; publishAt: string }> {
      const publishAt = new Date(input.publishAt);
      if (Number.isNaN(publishAt.getTime())) throw new DomainError('invalid', 'publishAt must be an ISO date-time', 'publishAt');
      if (input.embargoUntil && Number.isNaN(Date.parse(input.embargoUntil))) throw new DomainError('invalid', 'embargoUntil must be an ISO date-time', 'embargoUntil');
      const post = yield* loadPost$(db, actor, postId);
      if (actor.role === 'editor' && !actor.accountIds.includes(post.accountId)) throw new DomainError('forbidden', 'you may not schedule for this account');
      const to = move(actor, post, { type: 'schedule' });
      const embargo = input.embargoUntil ? new Date(input.embargoUntil).toISOString() : null;
      if (embargo && publishAt.toISOString() < embargo) throw new DomainError('invalid', 'publishAt is before the embargo', 'publishAt');
      const settings = yield* get(db.select().from(accountSettings).where(eq(accountSettings.accountId, post.accountId)));
      const override = input.overrideReason?.trim() ?? '';
      const outside = outsideWindow(settings, publishAt);
      if (outside && !override) throw new DomainError('conflict', `publishAt is ${outside}; it needs an override with a reason`, 'overrideReason');
      const version = yield* currentVersion$(db, post);
      yield* run(
        db
          .insert(schedules)
          .values({ postId, versionId: version.id, publishAt: publishAt.toISOString(), embargoUntil: embargo, overrideReason: override || null, scheduledBy: actor.id })
          .onConflictDoUpdate({ target: schedules.postId, set: { versionId: version.id, publishAt: publishAt.toISOString(), embargoUntil: embargo, overrideReason: override || null, scheduledBy: actor.id } }),
      );
      yield* setStatus$(ctx, post, to, actor.id);
      yield* appendAudit$(db, { actorId: actor.id, action: 'post.schedule', entityType: 'post', entityId: postId, data: { publishAt: publishAt.toISOString(), embargoUntil: embargo, override: override || null } }, now());
      return { id: postId, status: to, publishAt: publishAt.toISOString() };
    },

    /**
     * Publishes scheduled posts whose time has come, as the editor who scheduled
     * them. Manual-publisher accounts are published when their editor records
     * the URL; these are returned as due instead.
     */
    async publishDue(): Promise<{ published: string[]; due: string[]; failed: Array<{ postId: string; error: string }> }> {
      const rows = await runner(duePosts(), 'read');
      const out = { published: [] as string[], due: [] as string[], failed: [] as Array<{ postId: string; error: string }> };
      for (const r of rows) {
        if (r.manual) {
          out.due.push(r.postId);
          continue;
        }
        const actor = await runner(actorById$(db, r.scheduledBy), 'read');
        try {
          await publish(actor, r.postId, r.overrideReason ? { overrideReason: r.overrideReason } : {});
          out.published.push(r.postId);
        } catch (err) {
          out.failed.push({ postId: r.postId, error: (err as Error).message });
        }
      }
      return out;
    },
  };
}
