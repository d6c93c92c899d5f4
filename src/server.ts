/**
 * `lastgate serve` / `npm start`: API, reviewer UI, machine review, cleanup and
 * the scheduler in one process. Embedded queue by default; with REDIS_URL, jobs
 * go to BullMQ and `lastgate worker` processes run them.
 */
import { readFileSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { signingKey } from './audit/checkpoint.js';
import { CheckpointExporter } from './audit/export.js';
import { openDb, type Db } from './db/client.js';
import { SqliteStore } from './service/sqlite.js';
import { createApp } from './http/app.js';
import { EmbeddedTransport } from './queue/embedded.js';
import { BullTransport, type BullTransportOptions } from './queue/bullmq.js';
import { PoolRunner, type JobRunner } from './queue/runner.js';
import type { Transport } from './queue/transport.js';
import type { Config } from './config.js';
import { WebhookDispatcher } from './webhooks/delivery.js';
import { openCount } from './queue/outbox.js';
import { LinkChecker } from './cleanup/links.js';
import { CleanupService } from './cleanup/service.js';
import type { CleanupOptions } from './cleanup/runs.js';
import { RuleAdmin } from './rules/admin.js';
import { Ticker, bullScheduler, embeddedScheduler, type Scheduler } from './schedule/scheduler.js';

export interface Running {
  db: Db;
  store: SqliteStore;
  transport: Transport;
  cleanup: CleanupService;
  rules: RuleAdmin;
  ticker: Ticker;
  server: ServerType;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replace the worker-thread pool (embedded mode only). */
  runner?: JobRunner;
  /** Tuning of the BullMQ transport (REDIS_URL mode only). */
  bull?: Omit<BullTransportOptions, 'onRescanResult'>;
  cleanup?: CleanupOptions;
  /** Clock for the store and scheduler (tests of time-dependent behaviour). */
  now?: () => Date;
  quiet?: boolean;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  const db = openDb(config.dataDir);
  let transport: Transport | null = null;
  const webhooks = new WebhookDispatcher(db);
  const rules = new RuleAdmin(db, config.rulesDir, opts.now);
  const store = new SqliteStore(db, {
    onOutbox: () => transport?.kick(),
    onWebhook: () => webhooks.kick(),
    ...(opts.now ? { now: opts.now } : {}),
    ...(config.thresholds ? { thresholds: config.thresholds } : {}),
    sessionHours: config.sessionHours,
    rulesOverlay: () => rules.overlay(),
  });
  const cleanup = new CleanupService(db, {
    ...(opts.now ? { now: opts.now } : {}),
    rulesOverlay: () => rules.overlay(),
    linkChecker: new LinkChecker({ allowInternal: config.linkAllowInternal }),
    ...opts.cleanup,
  });
  const reviewer = { classifier: config.classifier, ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}) };
  if (config.redisUrl) {
    const bull = new BullTransport(store, config.redisUrl, { ...opts.bull, onRescanResult: (r) => cleanup.applyBatch(r.runId, r.seq, r) });
    cleanup.setDispatcher({ dispatch: (job) => bull.dispatchRescan(job) });
    transport = bull;
  } else {
    const pool = opts.runner ?? new PoolRunner({ ...reviewer, ...(config.threads ? { threads: config.threads } : {}) });
    cleanup.setDispatcher({
      dispatch: async (job) => {
        const r = await pool.rescan(job);
        await cleanup.applyBatch(r.runId, r.seq, r);
      },
    });
    transport = new EmbeddedTransport(store, pool);
  }
  // Runs interrupted by a crash or restart go on from their last finished batch.
  void cleanup.pump();
  const ticker = new Ticker(store, cleanup, opts.now, auditExporter(db, config, opts.now, () => webhooks.kick()));
  const scheduler: Scheduler = config.redisUrl ? await bullScheduler(ticker, config.redisUrl, config.schedulerMs) : embeddedScheduler(ticker, config.schedulerMs);
  const app = createApp({ store, cleanup, rules, ready: () => readiness(db, transport), checkResponses: process.env.LASTGATE_CHECK_RESPONSES === '1' });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolvePort, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => resolvePort({ server: s, port: info.port }));
    s.on('error', reject);
  });
  if (!opts.quiet) {
    console.log(`lastgate listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (data: ${config.dataDir}; queue: ${config.redisUrl ? 'BullMQ' : 'embedded'})`);
  }
  const t = transport;
  return {
    db,
    store,
    transport: t,
    cleanup,
    rules,
    ticker,
    server,
    port,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await scheduler.close();
      await t.close();
      await webhooks.close();
      db.$client.close();
    },
  };
}

/** The scheduled audit checkpoints, when a signing key is configured; a bad key stops the start, naming the file. */
function auditExporter(db: Db, config: Config, now: (() => Date) | undefined, onWebhook: () => void): CheckpointExporter | null {
  const c = config.auditCheckpoints;
  if (!c) return null;
  let key;
  try {
    key = signingKey(readFileSync(c.keyFile, 'utf8'));
  } catch (e) {
    throw new Error(`LASTGATE_AUDIT_KEY: ${c.keyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return new CheckpointExporter(db, { key, intervalMs: c.intervalMs, onWebhook, ...(c.file ? { file: c.file } : {}), ...(now ? { now } : {}) });
}

/**
 * What /readyz reports: whether the database answers and the queue takes
 * work, and how much waits in the outbox. /healthz says only that the
 * process serves requests and never waits on either.
 */
function readiness(db: Db, transport: Transport | null) {
  const queue = transport?.health?.() ?? { queue: 'ok' as const };
  let database = 'ok';
  let outboxOpen: number | null = null;
  try {
    outboxOpen = openCount(db);
  } catch (e) {
    database = (e as Error).message;
  }
  return { ok: queue.queue === 'ok' && database === 'ok', queue: queue.queue, ...(queue.detail ? { queueDetail: queue.detail } : {}), database, outboxOpen };
}
