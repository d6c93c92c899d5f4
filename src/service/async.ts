/**
 * The store on an asynchronous drizzle driver (Cloudflare D1, sqlite-proxy):
 * the same programs as SqliteStore (src/store/logic.ts), each run by
 * runAsync. Every method returns a Promise. Atomicity is per statement (or per
 * batch) only; see src/store/program.ts.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../db/schema.js';
import { asyncApi, batcherOf, programDb, runAsync, type AsyncApi } from '../store/program.js';
import { StorePrograms, type StoreOptions } from '../store/logic.js';

/** Any async drizzle SQLite database over lastgate's schema (DrizzleD1Database, SqliteRemoteDatabase). */
export type AsyncDb = BaseSQLiteDatabase<'async', any, typeof schema>;

export type { AsyncApi } from '../store/program.js';

export type AsyncStore = AsyncApi<StorePrograms>;

/**
 * The store on an async database; the methods are those of StorePrograms, run
 * by runAsync. `batch: true` sends consecutive writes through `db.batch` (D1
 * supports it; sqlite-proxy only with a batch callback).
 */
export function asyncStore(db: AsyncDb, opts: StoreOptions & { batch?: boolean } = {}): AsyncStore {
  const batch = batcherOf(db, opts.batch);
  const programs = new StorePrograms(programDb(db), (program) => runAsync(program, batch ? { batch } : {}), opts);
  return asyncApi(programs, batch ? { batch } : {});
}
