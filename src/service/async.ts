/**
 * The store on an asynchronous drizzle driver (Cloudflare D1, sqlite-proxy):
 * the same programs as SqliteStore (programs.ts), each run by runAsync. Every
 * method returns a Promise. Atomicity is per statement (or per batch) only;
 * see src/store/program.ts.
 */
import { asyncAdapter, type AsyncDb } from '../store/async.js';
import type { AsyncApi } from '../store/program.js';
import { storePrograms, type StoreOptions, type StorePrograms } from './programs.js';

export type AsyncStore = AsyncApi<StorePrograms>;

/**
 * The store on an async database. `batch: true` sends consecutive writes
 * through `db.batch` (D1 supports it; sqlite-proxy only with a batch callback).
 */
export function asyncStore(db: AsyncDb, opts: StoreOptions & { batch?: boolean } = {}): AsyncStore {
  const adapter = asyncAdapter(db, opts.batch);
  return adapter.api(storePrograms(adapter.db, adapter.run, opts));
}
