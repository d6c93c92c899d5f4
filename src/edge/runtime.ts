/**
 * What the Worker does (src/edge/worker.ts only wires it to the runtime's
 * handlers; a Worker module may export nothing but handlers).
 */
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../db/schema.js';
import { createApp } from '../http/app.js';
import { asyncStore, type AsyncStore } from '../service/async.js';
import { asyncCleanup, type AsyncCleanup } from '../cleanup/service.js';
import type { RescanDispatcher } from '../cleanup/runs.js';
import { fetchTransport, LinkChecker } from '../cleanup/links.js';
import { asyncRules, rulesOverlay$, type AsyncRules } from '../rules/admin.js';
import { programDb, runAsync, type Program, type StoreDb } from '../store/program.js';
import { duePending$, markDispatched$, recordFailure$, requeue$, staleDispatched$ } from '../queue/outbox.js';
import { processMachineReviewJob, processRescanBatchJob } from '../queue/job.js';
import { createRuleEngine, type RuleEngine } from '../rules/engine.js';
import { applyOverlay, type RulesOverlay } from '../rules/overlay.js';
import { Ticker, type TickReport } from '../schedule/ticker.js';
import type { AsyncDb } from '../store/async.js';
import { seedDefaults$ } from '../db/seed.js';
import { bundledPacks } from './packs.js';

/** Recorded in every machine review the Worker makes (MachineReviewResult.classifierSkipped). */
export const CLASSIFIER_UNAVAILABLE = 'classifier unavailable on Workers';

/** The message the Worker sends to its own Queue. */
export interface ReviewMessage {
  kind: 'machine_review';
  outboxId: number;
  versionId: number;
}

/** The parts of the Workers runtime types this file uses (kept structural so the Node typecheck needs no workers-types). */
interface QueueProducer<T> {
  sendBatch(messages: Iterable<{ body: T }>): Promise<unknown>;
}
export interface QueueMessage<T> {
  readonly body: T;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}
export interface MessageBatch<T> {
  readonly queue: string;
  readonly messages: readonly QueueMessage<T>[];
}
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
export interface ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
}

export interface Env {
  DB: Parameters<typeof drizzle>[0];
  REVIEW_QUEUE: QueueProducer<ReviewMessage>;
}

/** Outbox rows read per dispatch (one sendBatch: at most 100 messages). */
const DISPATCH_LIMIT = 50;
/** A row dispatched this long ago without a result is sent again by the cron. */
const STALE_AFTER_MS = 10 * 60 * 1000;
/** Cleanup batches handled per cron invocation. */
const CLEANUP_BATCHES_PER_TICK = 20;

interface Services {
  db: AsyncDb;
  pdb: StoreDb;
  store: AsyncStore;
  cleanup: AsyncCleanup;
  rules: AsyncRules;
  run<T>(program: Program<T>): Promise<T>;
}

/** The services over one D1 binding (cheap: no I/O until a method runs). */
export function services(env: Env): Services {
  const db = drizzle(env.DB, { schema }) as unknown as AsyncDb;
  const pdb = programDb(db);
  const store = asyncStore(db, { batch: true });
  const rules = asyncRules(db, { filePacks: bundledPacks, batch: true });
  // Link checks by fetch: a Worker has no node:http, and its requests leave from Cloudflare's network.
  const cleanup = asyncCleanup(db, { batch: true, rulesOverlay: () => rulesOverlay$(pdb), linkChecker: new LinkChecker({ transport: fetchTransport }) });
  const run = <T>(program: Program<T>) => runAsync(program, { batch: db as never });
  return { db, pdb, store, cleanup, rules, run };
}

let baseEngine: RuleEngine | null = null;
const overlayEngines = new Map<string, RuleEngine>();

/** The engine of the bundled packs with the compliance API's rules laid over them; compiled once per isolate and overlay. */
export function engineFor(overlay?: RulesOverlay | null): RuleEngine {
  if (!overlay || overlay.rules.length === 0) return (baseEngine ??= createRuleEngine(bundledPacks()));
  let e = overlayEngines.get(overlay.version);
  if (!e) {
    e = createRuleEngine(applyOverlay(bundledPacks(), overlay));
    overlayEngines.set(overlay.version, e);
    if (overlayEngines.size > 4) overlayEngines.delete(overlayEngines.keys().next().value!);
  }
  return e;
}

/** Sends the due outbox rows to the Queue and marks them dispatched; returns how many were sent. */
export async function dispatchOutbox(env: Env, s: Services = services(env)): Promise<number> {
  let sent = 0;
  for (;;) {
    const due = await s.run(duePending$(s.pdb, DISPATCH_LIMIT));
    if (due.length === 0) return sent;
    await env.REVIEW_QUEUE.sendBatch(due.map((r) => ({ body: { kind: 'machine_review' as const, outboxId: r.id, versionId: r.versionId } })));
    await s.run(markDispatched$(s.pdb, due.map((r) => r.id)));
    sent += due.length;
    if (due.length < DISPATCH_LIMIT) return sent;
  }
}

/** Machine review of one version, as every transport runs it: the shared processor, then the store applies the result. */
export async function reviewVersion(s: Services, versionId: number): Promise<boolean> {
  const input = await s.store.reviewInput(versionId);
  if (!input) return false;
  const [policy, overlay] = await Promise.all([s.store.verdictPolicy(), s.run(rulesOverlay$(s.pdb))]);
  const job = await processMachineReviewJob(
    { versionId, input, policy, rules: overlay },
    { rules: engineFor(overlay), classifier: null, classifierSkipped: CLASSIFIER_UNAVAILABLE },
  );
  await s.store.applyMachineReview(versionId, job.result, job.durationMs);
  return true;
}

export async function consume(batch: MessageBatch<ReviewMessage>, env: Env): Promise<void> {
  const s = services(env);
  for (const m of batch.messages) {
    try {
      if (m.body?.kind === 'machine_review') await reviewVersion(s, m.body.versionId);
      m.ack();
    } catch (err) {
      console.error(`lastgate: machine review of version ${m.body?.versionId} failed: ${(err as Error).message}`);
      try {
        await s.run(recordFailure$(s.pdb, m.body.outboxId, (err as Error).message));
        m.ack(); // back to pending with a backoff; the cron sends it again
      } catch {
        m.retry({ delaySeconds: 30 });
      }
    }
  }
}

/** One Cron Trigger: the Ticker, cleanup batches (rescans run by the shared processor), and lost outbox rows. */
export async function cron(env: Env, now: () => Date = () => new Date()): Promise<{ tick: TickReport; cleanupBatches: number; requeued: number; dispatched: number }> {
  await ensureSeeded(env);
  const s = services(env);
  const tick = await new Ticker(s.store, s.cleanup, now).tick();
  const dispatcher: RescanDispatcher = {
    async dispatch(job) {
      const r = await processRescanBatchJob(job, { rules: engineFor(job.rules) });
      await s.cleanup.applyBatch(r.runId, r.seq, r);
    },
  };
  let cleanupBatches = 0;
  while (cleanupBatches < CLEANUP_BATCHES_PER_TICK) {
    const n = await s.cleanup.processPending(dispatcher);
    if (n === 0) break;
    cleanupBatches += n;
  }
  const stale = await s.run(staleDispatched$(s.pdb, new Date(now().getTime() - STALE_AFTER_MS), DISPATCH_LIMIT));
  await s.run(requeue$(s.pdb, stale.map((r) => r.id)));
  const dispatched = await dispatchOutbox(env, s);
  return { tick, cleanupBatches, requeued: stale.length, dispatched };
}

const seeded = new WeakMap<object, Promise<void>>();

/** Seeds the default units and accounts once per isolate and database (the Node server does it when it opens SQLite). */
export function ensureSeeded(env: Env): Promise<void> {
  let p = seeded.get(env.DB as object);
  if (!p) {
    const s = services(env);
    p = s.run(seedDefaults$(s.pdb)).catch((err: unknown) => {
      seeded.delete(env.DB as object);
      throw err;
    });
    seeded.set(env.DB as object, p);
  }
  return p;
}

const apps = new WeakMap<object, ReturnType<typeof createApp>>();

export function appFor(env: Env): ReturnType<typeof createApp> {
  let app = apps.get(env.DB as object);
  if (!app) {
    const s = services(env);
    app = createApp({ store: s.store, cleanup: s.cleanup, rules: s.rules });
    apps.set(env.DB as object, app);
  }
  return app;
}

