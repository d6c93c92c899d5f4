/**
 * The store on an asynchronous drizzle driver (Cloudflare D1, sqlite-proxy):
 * the same programs as SqliteStore (src/store/logic.ts), each run by
 * runAsync. Every method returns a Promise. Atomicity is per statement (or per
 * batch) only; see src/store/program.ts.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../db/schema.js';
import { programDb, runAsync, type Batcher, type Program } from './program.js';
import { StorePrograms, type StoreOptions } from './logic.js';

/** Any async drizzle SQLite database over lastgate's schema (DrizzleD1Database, SqliteRemoteDatabase). */
export type AsyncDb = BaseSQLiteDatabase<'async', any, typeof schema>;

/**
 * The async API of a program class: each program method `(...a) => Program<R>`
 * becomes `(...a) => Promise<R>`; async methods stay as they are; everything
 * else (private helpers, plain fields) is left out.
 */
export type AsyncApi<P> = {
  [K in keyof P as P[K] extends (...a: any[]) => Program<unknown> | Promise<unknown> ? K : never]: P[K] extends (...a: infer A) => Program<infer R>
    ? (...a: A) => Promise<R>
    : P[K] extends (...a: infer A) => Promise<infer R>
      ? (...a: A) => Promise<R>
      : never;
};

export type AsyncStore = AsyncApi<StorePrograms>;

function isGenerator(v: unknown): v is Program<unknown> {
  return v != null && typeof (v as Program<unknown>).next === 'function' && typeof (v as Program<unknown>).throw === 'function';
}

/**
 * The store on an async database; the methods are those of StorePrograms, run
 * by runAsync. `batch: true` sends consecutive writes through `db.batch` (D1
 * supports it; sqlite-proxy only with a batch callback).
 */
export function asyncStore(db: AsyncDb, opts: StoreOptions & { batch?: boolean } = {}): AsyncStore {
  const batcher = db as Partial<Batcher>;
  if (opts.batch && typeof batcher.batch !== 'function') throw new Error('asyncStore: this database has no batch()');
  const run = opts.batch ? { batch: batcher as Batcher } : {};
  const programs = new StorePrograms(programDb(db), (program) => runAsync(program, run), opts);
  const methods = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as AsyncStore, {
    get(_target, name) {
      const member = (programs as unknown as Record<PropertyKey, unknown>)[name];
      if (typeof member !== 'function' || name === 'constructor') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (...args: unknown[]) => {
          const out: unknown = member.apply(programs, args);
          return isGenerator(out) ? runAsync(out, run) : out;
        };
        methods.set(name, method);
      }
      return method;
    },
  });
}
