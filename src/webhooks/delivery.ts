/**
 * Signed webhooks on post state changes. A delivery row is written in the same
 * transaction as the change (so no change goes unannounced and no announcement
 * is of a change that was rolled back), then a dispatcher sends it with retries.
 *
 * Each request carries `X-Lastgate-Timestamp` and
 * `X-Lastgate-Signature: sha256=HEX`, the HMAC-SHA256 of `${timestamp}.${body}`
 * with the webhook's secret; receivers recompute it and reject stale timestamps.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { webhookDeliveries, webhooks } from '../db/schema.js';
import { all, allOf, run, statement, type Program, type StoreDb } from '../store/program.js';
import type { Checkpoint } from '../audit/checkpoint.js';

export interface StatusEvent {
  event: 'post.status_changed';
  postId: string;
  account: string;
  accountId: number;
  version: number;
  from: string | null;
  to: string;
  actorId: number | null;
  at: string;
}

export function newWebhookSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver-side check, exported for users' integrations and for tests. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface FreshnessEvent {
  event: 'account.freshness';
  account: string;
  accountId: number;
  level: 'warning' | 'failing';
  days: number;
  lastPublishedAt: string | null;
  /** What the lapse counts from: the last publication, or (never published) when the account joined the matrix. */
  since: string | null;
  at: string;
}

/** The audit log's head, signed (src/audit/export.ts): kept by the receiver, outside the database's reach. */
export interface AuditCheckpointEvent {
  event: 'audit.checkpoint';
  /** Not about one account: sent to the webhooks of all accounts only. */
  accountId: null;
  checkpoint: Checkpoint;
  at: string;
}

export type WebhookEvent = StatusEvent | FreshnessEvent | AuditCheckpointEvent;

/** Queues the event for every active webhook of its account and every account-wide one; a store program. */
/** The active hooks of an account (or global): read on every status change, so prepared once. */
const ACCOUNT_HOOKS = statement((db, a: { accountId: number }) =>
  db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.active, true), or(isNull(webhooks.accountId), eq(webhooks.accountId, a.accountId)))),
);

export function* enqueueEvent$(db: Pick<StoreDb, 'select' | 'insert'>, ev: WebhookEvent): Program<number> {
  const hooks =
    ev.accountId === null
      ? yield* all(db.select({ id: webhooks.id }).from(webhooks).where(and(eq(webhooks.active, true), isNull(webhooks.accountId))))
      : yield* allOf(db as StoreDb, ACCOUNT_HOOKS, { accountId: ev.accountId });
  if (hooks.length === 0) return 0;
  const payload = JSON.stringify(ev);
  for (const h of hooks) yield* run(db.insert(webhookDeliveries).values({ webhookId: h.id, event: ev.event, payload }));
  return hooks.length;
}

const MAX_ATTEMPTS = 8;

/** Sends due deliveries, a few at a time, retrying failures with exponential backoff. */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout;
  private running = false;
  private closed = false;
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly opts: { pollMs?: number; timeoutMs?: number; concurrency?: number } = {},
  ) {
    this.timer = setInterval(() => void this.tick(), opts.pollMs ?? 500);
    this.timer.unref();
  }

  /** Sends what is due soon: kicks in the same turn of the event loop (a burst of commits) make one tick. */
  kick(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.tick();
    });
  }

  async tick(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      const due = this.db
        .select({ d: webhookDeliveries, url: webhooks.url, secret: webhooks.secret })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(and(eq(webhookDeliveries.state, 'pending'), lte(webhookDeliveries.availableAt, new Date().toISOString())))
        .orderBy(asc(webhookDeliveries.id))
        .limit(this.opts.concurrency ?? 8)
        .all();
      await Promise.all(due.map((row) => this.send(row.d, row.url, row.secret)));
    } finally {
      this.running = false;
    }
  }

  private async send(d: typeof webhookDeliveries.$inferSelect, url: string, secret: string): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-lastgate-event': d.event,
          'x-lastgate-delivery': String(d.id),
          'x-lastgate-timestamp': timestamp,
          'x-lastgate-signature': signPayload(secret, timestamp, d.payload),
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (this.closed) return;
    const attempts = d.attempts + 1;
    this.db
      .update(webhookDeliveries)
      .set(
        error === null
          ? { state: 'delivered', attempts, lastStatus: status, lastError: null }
          : {
              state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
              attempts,
              lastStatus: status,
              lastError: error.slice(0, 500),
              availableAt: new Date(Date.now() + Math.min(2 ** attempts * 1000, 10 * 60_000)).toISOString(),
            },
      )
      .where(eq(webhookDeliveries.id, d.id))
      .run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
  }
}
