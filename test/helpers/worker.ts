/**
 * The Cloudflare Worker run locally for tests, offline: bundled by wrangler
 * exactly as `wrangler deploy` bundles it (`--dry-run --outdir`, aliases,
 * build step and module rules of wrangler.toml), D1 migrated by
 * `wrangler d1 migrations apply --local` (the production command, on a
 * temporary persistence directory), then served by Miniflare (workerd) on
 * 127.0.0.1 with the D1 database, the Queue (delivered at once) and cron.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../../src/db/schema.js';
import { asyncStore, type AsyncStore } from '../../src/service/async.js';
import type { AsyncDb } from '../../src/store/async.js';
import { tempDir } from './db.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');
/** wrangler.toml's values. */
export const D1_NAME = 'lastgate';
export const D1_ID = '00000000-0000-0000-0000-000000000000';
export const REVIEW_QUEUE = 'lastgate-machine-review';

/** `scripts/edge-user.ts` on local D1 in `persistDir`: prints the token. */
export async function edgeUserAdd(persistDir: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'bin/run-ts.mjs'), join(ROOT, 'scripts/edge-user.ts'), ...args, '--persist-to', persistDir], { cwd: ROOT, env: OFFLINE_ENV });
  return stdout.trim();
}

/** No telemetry, no request.cf fetch, no update check reaching out: everything local. */
const OFFLINE_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG: 'warn', NO_COLOR: '1', CI: '1' };

export interface RunningWorker {
  mf: Miniflare;
  base: string;
  /** The Worker's D1 database from Node (Miniflare's binding proxy), as drizzle. */
  db: AsyncDb;
  /** The store programs over the same D1 (to add users: there is no HTTP API for that). */
  store: AsyncStore;
  /** Fires the Cron Trigger and waits for its work. */
  scheduled(at?: Date): Promise<void>;
  timings: Record<string, number>;
  close(): Promise<void>;
}

/** `beforeStart` runs after the migrations, on the persisted state directory, before workerd opens it. */
export async function startWorker(opts: { beforeStart?: (persistDir: string) => Promise<void> } = {}): Promise<RunningWorker> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const outdir = tempDir('lastgate-worker-build-');
  const persist = tempDir('lastgate-worker-state-');
  await run(WRANGLER, ['deploy', '--dry-run', '--outdir', outdir], { cwd: ROOT, env: OFFLINE_ENV });
  lap('bundleMs');
  await run(WRANGLER, ['d1', 'migrations', 'apply', D1_NAME, '--local', '--persist-to', persist], { cwd: ROOT, env: OFFLINE_ENV });
  lap('migrationsMs');
  if (opts.beforeStart) {
    await opts.beforeStart(persist);
    lap('beforeStartMs');
  }
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    modules: true,
    scriptPath: join(outdir, 'worker.js'),
    modulesRoot: outdir,
    modulesRules: [
      { type: 'Text', include: ['**/*.yaml', '**/*.txt'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    d1Databases: { DB: D1_ID },
    d1Persist: join(persist, 'v3', 'd1'),
    queueProducers: { REVIEW_QUEUE: { queueName: REVIEW_QUEUE } },
    queueConsumers: { [REVIEW_QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 0 } },
  });
  const base = (await mf.ready).toString().replace(/\/$/, '');
  // The first request seeds the default units and accounts (as the Node server does when it opens SQLite).
  const health = await fetch(`${base}/healthz`);
  if (health.status !== 200) throw new Error(`worker /healthz: ${health.status} ${await health.text()}`);
  lap('readyMs');
  const db = drizzle((await mf.getD1Database('DB')) as never, { schema }) as unknown as AsyncDb;
  const store = asyncStore(db, { batch: true });
  return {
    mf,
    base,
    db,
    store,
    async scheduled(at = new Date()) {
      const worker = await mf.getWorker();
      await worker.scheduled({ cron: '*/15 * * * *', scheduledTime: at });
    },
    timings,
    close: () => mf.dispose(),
  };
}
