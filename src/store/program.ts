/**
 * Store logic written once, run on a synchronous or an asynchronous SQLite driver.
 *
 * A program is a generator that yields database operations and receives their
 * results: `const rows = yield* all(db.select().from(posts))`. It builds its
 * queries with drizzle against whatever database it was given but never runs
 * them itself; a runner does:
 *
 * - `runSync(db, program)` runs it on better-sqlite3 inside one IMMEDIATE
 *   transaction: every write of the program is committed, or none (what the
 *   Node server has always done). An operation that returns a Promise is an
 *   error: the database is not synchronous.
 * - `runAsync(program)` awaits each operation, for drizzle's async drivers
 *   (Cloudflare D1, sqlite-proxy).
 *
 * Raw SQL goes through the query builder (`db.select({ n: sql<number>`count(*)` })
 * .from(sql`t JOIN u ...`)`), not `db.all(sql)`: drivers disagree on the row shape
 * of raw queries (sqlite-proxy returns arrays), while the builder maps columns
 * to fields the same way on all of them.
 *
 * Atomicity of `runAsync`: none beyond the single statement. D1 refuses BEGIN
 * (drizzle's `db.transaction` fails there), so every statement commits on its
 * own. A program that fails halfway leaves its earlier writes in place, and two
 * programs running at once may interleave between statements. The invariants
 * that matter are still enforced by the database itself, per statement, through
 * the triggers of drizzle/0001_invariants.sql (immutable versions, append-only
 * audit log, one approval per reviewer and version, ...) and the unique indexes.
 * What is not protected: read-then-write sequences, e.g. the audit hash chain
 * (two concurrent appends can read the same predecessor; the UNIQUE seq makes
 * the second fail rather than fork the chain) and lifecycle checks made in JS.
 * Full atomicity on Workers needs either one `db.batch` per program (programs
 * that read between writes cannot be expressed that way) or a Durable Object
 * with synchronous SQLite storage, which `runSync`-style driving would fit.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../db/schema.js';

export type Op =
  | { kind: 'all'; query: { all(): unknown } }
  | { kind: 'get'; query: { get(): unknown } }
  | { kind: 'run'; query: { run(): unknown } }
  | { kind: 'after'; fn: () => void };

/** A store operation: yields database operations, returns T. */
export type Program<T> = Generator<Op, T, unknown>;

/**
 * The database a program builds its queries on. Its result kind is left open
 * ('sync' | 'async'), so calling `.all()` directly gives `T | Promise<T>` and
 * does not type-check as rows: programs must go through the helpers below.
 */
export type ProgramDb<TSchema extends Record<string, unknown>> = BaseSQLiteDatabase<'sync' | 'async', unknown, TSchema>;

/** Views a concrete drizzle SQLite database (sync or async) as a program database. */
export function programDb<TSchema extends Record<string, unknown>>(db: BaseSQLiteDatabase<'sync', any, TSchema> | BaseSQLiteDatabase<'async', any, TSchema>): ProgramDb<TSchema> {
  return db as unknown as ProgramDb<TSchema>;
}

/** All rows of a query. */
export function* all<T>(query: { all(): T[] | Promise<T[]> }): Program<T[]> {
  return (yield { kind: 'all', query }) as T[];
}

/** The first row of a query, or undefined. */
export function* get<T>(query: { get(): T | Promise<T> }): Program<T> {
  return (yield { kind: 'get', query }) as T;
}

/** Runs a statement for its effect; its driver-specific result is not returned. */
export function* run(query: { run(): unknown }): Program<void> {
  yield { kind: 'run', query };
}

/** Calls `fn` once after the program succeeded (after commit, for runSync); repeated calls with the same fn collapse. */
export function* afterCommit(fn: () => void): Program<void> {
  yield { kind: 'after', fn };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v != null && typeof (v as { then?: unknown }).then === 'function';
}

function execute(op: Exclude<Op, { kind: 'after' }>): unknown {
  switch (op.kind) {
    case 'all':
      return op.query.all();
    case 'get':
      return op.query.get();
    case 'run':
      return op.query.run();
  }
}

/**
 * Drives a program synchronously in the caller's transaction (or none): for
 * helpers like appendAudit that are called inside a transaction opened elsewhere.
 */
export function driveSync<T>(program: Program<T>, after?: Set<() => void>): T {
  let step = program.next();
  while (!step.done) {
    const op = step.value;
    if (op.kind === 'after') {
      if (after) after.add(op.fn);
      else op.fn();
      step = program.next();
      continue;
    }
    let result: unknown;
    try {
      result = execute(op);
    } catch (err) {
      step = program.throw(err);
      continue;
    }
    if (isThenable(result)) {
      // Keep the stray promise from surfacing as an unhandled rejection.
      Promise.resolve(result).catch(() => {});
      program.return(undefined as T);
      throw new Error('runSync: a database operation returned a Promise; an async database needs runAsync');
    }
    step = program.next(result);
  }
  return step.value;
}

/** The parts of a synchronous drizzle database runSync needs. */
interface SyncTransactional {
  transaction<R>(fn: (tx: any) => R, config?: { behavior?: 'deferred' | 'immediate' | 'exclusive' }): R;
}

/**
 * Runs a program on a synchronous database. By default inside one IMMEDIATE
 * transaction; `{ transaction: false }` runs it statement by statement, as
 * plain reads outside a transaction always did.
 */
export function runSync<T>(db: SyncTransactional, program: Program<T>, opts: { transaction?: boolean } = {}): T {
  const after = new Set<() => void>();
  const out = opts.transaction === false ? driveSync(program, after) : db.transaction(() => driveSync(program, after), { behavior: 'immediate' });
  for (const fn of after) fn();
  return out;
}

/** Runs a program on an asynchronous database, one awaited statement at a time (see the module comment on atomicity). */
export async function runAsync<T>(program: Program<T>): Promise<T> {
  const after = new Set<() => void>();
  let step = program.next();
  while (!step.done) {
    const op = step.value;
    if (op.kind === 'after') {
      after.add(op.fn);
      step = program.next();
      continue;
    }
    let result: unknown;
    try {
      result = await execute(op);
    } catch (err) {
      step = program.throw(err);
      continue;
    }
    step = program.next(result);
  }
  for (const fn of after) fn();
  return step.value;
}

/** The program database over lastgate's schema. */
export type StoreDb = ProgramDb<typeof schema>;
