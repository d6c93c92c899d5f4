/**
 * The asynchronous adapter: programs on an async drizzle driver (Cloudflare
 * D1, sqlite-proxy), each run by runAsync. Atomicity is per statement (or per
 * batch) only; see program.ts.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../db/schema.js';
import { asyncApi, batcherOf, programDb, runAsync, type AsyncApi, type Program, type StoreDb } from './program.js';
import type { Runner } from './context.js';

/** Any async drizzle SQLite database over lastgate's schema (DrizzleD1Database, SqliteRemoteDatabase). */
export type AsyncDb = BaseSQLiteDatabase<'async', any, typeof schema>;

export interface AsyncAdapter {
  db: StoreDb;
  run: Runner;
  /** The program set's async API (asyncApi); `init` runs once before the first call. */
  api<P extends object>(programs: P, init?: () => Program<void>): AsyncApi<P>;
}

/**
 * The adapter over `db`. With `batch`, consecutive writes go through
 * `db.batch` (D1 supports it; sqlite-proxy only with a batch callback).
 */
export function asyncAdapter(db: AsyncDb, batch?: boolean): AsyncAdapter {
  const batcher = batcherOf(db, batch);
  const opts = batcher ? { batch: batcher } : {};
  return {
    db: programDb(db),
    run: (program) => runAsync(program, opts),
    api: (programs, init) => asyncApi(programs, init ? { ...opts, init } : opts),
  };
}
