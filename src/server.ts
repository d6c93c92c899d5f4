/**
 * `lastgate serve` / `npm start`: API, reviewer UI and machine review in one
 * process. Embedded queue by default; with REDIS_URL, jobs go to BullMQ and
 * `lastgate worker` processes run them.
 */
import { serve, type ServerType } from '@hono/node-server';
import { openDb, type Db } from './db/client.js';
import { SqliteStore } from './store/sqlite.js';
import { createApp } from './http/app.js';
import { EmbeddedTransport } from './queue/embedded.js';
import { BullTransport, type BullTransportOptions } from './queue/bullmq.js';
import { PoolRunner, type JobRunner } from './queue/runner.js';
import type { Transport } from './queue/transport.js';
import type { Config } from './config.js';
import { WebhookDispatcher } from './notify/webhooks.js';

export interface Running {
  db: Db;
  store: SqliteStore;
  transport: Transport;
  server: ServerType;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replace the worker-thread pool (embedded mode only). */
  runner?: JobRunner;
  /** Tuning of the BullMQ transport (REDIS_URL mode only). */
  bull?: BullTransportOptions;
  quiet?: boolean;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  const db = openDb(config.dataDir);
  let transport: Transport | null = null;
  const webhooks = new WebhookDispatcher(db);
  const store = new SqliteStore(db, { onOutbox: () => transport?.kick(), onWebhook: () => webhooks.kick() });
  const reviewer = { classifier: config.classifier, ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}) };
  transport = config.redisUrl
    ? new BullTransport(store, config.redisUrl, opts.bull)
    : new EmbeddedTransport(store, opts.runner ?? new PoolRunner({ ...reviewer, ...(config.threads ? { threads: config.threads } : {}) }));
  const app = createApp({ store });
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
    server,
    port,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await t.close();
      await webhooks.close();
      db.$client.close();
    },
  };
}
