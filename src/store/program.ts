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
 * - `runAsync(program, { batch? })` awaits each operation, for drizzle's async
 *   drivers (Cloudflare D1, sqlite-proxy); with `batch` it sends consecutive
 *   writes in one `db.batch` (see runAsync).
 *
 * Raw SQL goes through the query builder (`db.select({ n: sql<number>`count(*)` })
 * .from(sql`t JOIN u ...`)`, read with `all` or `rows`), not `db.all(sql)`:
 * drivers disagree on the row shape of raw queries (sqlite-proxy returns
 * arrays), while the builder gives the same rows on all of them.
 *
 * Atomicity of `runAsync`: none beyond the single statement (or the single
 * batch, with `batch`). D1 refuses BEGIN (drizzle's `db.transaction` fails
 * there), so each statement or batch commits on its own. A program that fails
 * halfway leaves its earlier writes in place, and two programs running at once
 * may interleave between statements. The invariants that matter are still
 * enforced by the database, per statement: the triggers and indexes of
 * drizzle/0001_invariants.sql (immutable versions and decisions, append-only
 * audit log, one approval per reviewer and version, publication only with the
 * required approvals) and the schema's unique indexes. Not protected:
 * read-then-write sequences, e.g. the audit hash chain (two concurrent appends
 * read the same predecessor; the primary key on seq makes the second fail
 * rather than fork the chain) and lifecycle checks made in JS.
 * Full atomicity on Workers needs either one `db.batch` per program (programs
 * that read between writes cannot be expressed that way) or a Durable Object
 * with synchronous SQLite storage, which runSync-style driving would fit.
 *
 * Errors: better-sqlite3 throws its own SqliteError; the async drivers throw
 * drizzle's DrizzleQueryError ("Failed query: ...") with the driver's error
 * (the trigger's RAISE message) as `cause`; a failed `db.batch` may reject
 * with the driver's error itself.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from '../db/schema.js';

export type Op =
  | { kind: 'all'; query: { all(): unknown } }
  | { kind: 'get'; query: { get(): unknown } }
  | { kind: 'run'; query: { run(): unknown } }
  | { kind: 'values'; query: { values(): unknown } }
  | { kind: 'after'; fn: () => void }
  | StatementOp;

/** A query of a `statement`: prepared once per database by the sync runner, built as it is by the async one. */
interface StatementOp {
  kind: 'statement';
  mode: 'all' | 'get' | 'run' | 'values';
  db: StoreDb;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  st: Statement<any, any>;
  args: Record<string, unknown>;
}

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

/**
 * All rows of a select whose fields are plain `sql<T>` expressions (no
 * decoders), zipped into objects by field name. The same rows as `all`, without
 * drizzle's per-value mapping, which is what wide results (the review queue)
 * spend most of their time on. Pass the fields given to `select`.
 */
export function* rows<F extends Record<string, SQL<unknown>>>(fields: F, query: { values(): unknown[][] | Promise<unknown[][]> }): Program<Array<{ [K in keyof F]: F[K] extends SQL<infer T> ? T : never }>> {
  const keys = Object.keys(fields);
  const raw = (yield { kind: 'values', query }) as unknown[][];
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) row[keys[i]!] = r[i];
    return row as { [K in keyof F]: F[K] extends SQL<infer T> ? T : never };
  });
}

/** Runs a statement for its effect; its driver-specific result is not returned. */
export function* run(query: { run(): unknown }): Program<void> {
  yield { kind: 'run', query };
}

/** Calls `fn` once after the program succeeded (after commit, for runSync); repeated calls with the same fn collapse. */
export function* afterCommit(fn: () => void): Program<void> {
  yield { kind: 'after', fn };
}

/**
 * A query a hot program runs again and again with other values: `build`
 * makes it from the program database and the arguments. On better-sqlite3
 * (driveSync) it is built once per database with a placeholder for every
 * argument (`sql.placeholder(name)`), prepared, and from then on only run
 * with the values: drizzle's query building and SQL generation, which cost
 * more than running the statement, are paid once. On the async drivers it is
 * built with the values each time, exactly as a query written inline, so
 * batching (runAsync `batch`) sees an ordinary builder.
 *
 * So `build` must use each argument only as a value bound into the query
 * (in `eq`, `values`, `set`, …), never to decide the query's shape
 * (conditions, spread keys, limits chosen by value): the prepared form is
 * built from placeholders and would keep whatever shape it saw first. Columns
 * with `$defaultFn` must be given as arguments (a default computed at build
 * time would be frozen into the prepared statement).
 */
export interface Statement<A extends Record<string, unknown>, Q> {
  readonly build: (db: StoreDb, args: A) => Q;
}

export function statement<A extends Record<string, unknown>, Q>(build: (db: StoreDb, args: A) => Q): Statement<A, Q> {
  return { build };
}

/** All rows of a statement run with `args`. */
export function* allOf<A extends Record<string, unknown>, T>(db: StoreDb, st: Statement<A, { all(): T[] | Promise<T[]> }>, args: A): Program<T[]> {
  return (yield { kind: 'statement', mode: 'all', db, st, args }) as T[];
}

/** The first row of a statement run with `args`, or undefined. */
export function* getOf<A extends Record<string, unknown>, T>(db: StoreDb, st: Statement<A, { get(): T | Promise<T> }>, args: A): Program<T> {
  return (yield { kind: 'statement', mode: 'get', db, st, args }) as T;
}

/** Runs a statement with `args` for its effect. */
export function* runOf<A extends Record<string, unknown>>(db: StoreDb, st: Statement<A, { run(): unknown }>, args: A): Program<void> {
  yield { kind: 'statement', mode: 'run', db, st, args };
}

/** Placeholders by name: what a statement is built with for preparing. */
const PLACEHOLDERS = new Proxy({} as Record<string, unknown>, { get: (_t, name) => (typeof name === 'string' ? sql.placeholder(name) : undefined) });

interface PreparedQuery {
  all(values: Record<string, unknown>): unknown;
  get(values: Record<string, unknown>): unknown;
  run(values: Record<string, unknown>): unknown;
  values(values: Record<string, unknown>): unknown;
}

/** Prepared statements per database (better-sqlite3 connections live as long as their store). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const preparedByDb = new WeakMap<object, Map<Statement<any, any>, PreparedQuery>>();

function executeStatement(op: StatementOp): unknown {
  let cache = preparedByDb.get(op.db);
  if (!cache) preparedByDb.set(op.db, (cache = new Map()));
  let prepared = cache.get(op.st);
  if (!prepared) {
    const built = op.st.build(op.db, PLACEHOLDERS) as { prepare?: () => PreparedQuery };
    if (typeof built.prepare !== 'function') throw new Error('statement: the query has no prepare()');
    prepared = built.prepare();
    cache.set(op.st, prepared);
  }
  return prepared[op.mode](op.args);
}

/** A statement op as the plain op the async runner sends (built with the values). */
function inline(op: StatementOp): Exclude<Op, { kind: 'after' } | StatementOp> {
  const query = op.st.build(op.db, op.args);
  return { kind: op.mode, query } as Exclude<Op, { kind: 'after' } | StatementOp>;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v != null && typeof (v as { then?: unknown }).then === 'function';
}

function execute(op: Exclude<Op, { kind: 'after' }>): unknown {
  switch (op.kind) {
    case 'statement':
      return executeStatement(op);
    case 'all':
      return op.query.all();
    case 'get':
      return op.query.get();
    case 'run':
      return op.query.run();
    case 'values':
      return op.query.values();
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
export interface SyncTransactional {
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

/** drizzle's `db.batch` of the async SQLite drivers (D1, sqlite-proxy): the statements run in order as one transaction. */
export interface Batcher {
  batch(queries: readonly unknown[]): Promise<readonly unknown[]>;
}

/**
 * Runs a program on an asynchronous database (see the module comment on
 * atomicity). Without `batch`, one awaited statement at a time. With `batch`
 * (the database itself, for D1), statements run for their effect are held back
 * and sent in one `db.batch` together with the next query whose result the
 * program needs, or at the end: consecutive writes then commit together or not
 * at all, and the round trips drop. A held-back write that fails is thrown into
 * the program at that next query (or rejects at the end), not where it was yielded.
 */
export async function runAsync<T>(program: Program<T>, opts: { batch?: Batcher } = {}): Promise<T> {
  const after = new Set<() => void>();
  const held: unknown[] = [];
  const batcher = opts.batch;
  let step = program.next();
  while (!step.done) {
    const op = step.value.kind === 'statement' ? inline(step.value) : step.value;
    if (op.kind === 'after') {
      after.add(op.fn);
      step = program.next();
      continue;
    }
    if (batcher && op.kind === 'run') {
      held.push(op.query);
      step = program.next();
      continue;
    }
    let result: unknown;
    try {
      if (batcher && held.length > 0 && op.kind === 'values') {
        // A batch would map the select's rows to objects: send the writes first.
        await batcher.batch(held.splice(0));
        result = await execute(op);
      } else if (batcher && held.length > 0) {
        const results = await batcher.batch([...held.splice(0), op.query]);
        const last = results[results.length - 1];
        // In a batch a select is mapped as 'all' (drizzle prepares builders that way): `get` takes the first row.
        result = op.kind === 'get' && Array.isArray(last) ? last[0] : last;
      } else {
        result = await execute(op);
      }
    } catch (err) {
      step = program.throw(err);
      continue;
    }
    step = program.next(result);
  }
  if (batcher && held.length > 0) await batcher.batch(held.splice(0));
  for (const fn of after) fn();
  return step.value;
}

/**
 * The async API of a program set (a class, or an object of programs): each
 * program method `(...a) => Program<R>` becomes `(...a) => Promise<R>`; async
 * methods stay as they are; everything else (private helpers, plain fields)
 * is left out.
 */
export type AsyncApi<P> = {
  [K in keyof P as P[K] extends (...a: any[]) => Program<unknown> | Promise<unknown> ? K : never]: P[K] extends (...a: infer A) => Program<infer R>
    ? (...a: A) => Promise<R>
    : P[K] extends (...a: infer A) => Promise<infer R>
      ? (...a: A) => Promise<R>
      : never;
};

/**
 * A value or a promise of it: members the Node adapters answer synchronously
 * and the async ones with a Promise. The edges (HTTP, UI, ticker) await every
 * call either way.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The API of a program set as the edges call it, on either adapter: each
 * program method `(...a) => Program<R>` and each async method becomes
 * `(...a) => MaybePromise<R>`. A synchronous adapter (SqliteStore) and an
 * AsyncApi both satisfy it.
 */
export type ProgramApi<P> = {
  [K in keyof AsyncApi<P>]: AsyncApi<P>[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => MaybePromise<R> : never;
};

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * One flat program set out of several (each concept's), so that one adapter
 * serves them all. Two sets defining the same name are an error, not an override.
 */
export function combine<T extends object[]>(...sets: T): Intersection<T[number]> {
  const out: Record<string, unknown> = {};
  for (const set of sets) {
    for (const [name, member] of Object.entries(set)) {
      if (name in out) throw new Error(`combine: two program sets define ${name}`);
      out[name] = member;
    }
  }
  return out as Intersection<T[number]>;
}

/** Whether a value is a program (a generator), as opposed to a plain value or a Promise. */
export function isProgram(v: unknown): v is Program<unknown> {
  return v != null && typeof (v as Program<unknown>).next === 'function' && typeof (v as Program<unknown>).throw === 'function';
}

/**
 * The methods of a program set as an AsyncApi: a program method's program is
 * run by runAsync, an async method is called as it is. `init`, if given, runs
 * once before the first call (e.g. seeding defaults a Node constructor writes).
 */
export function asyncApi<P extends object>(programs: P, opts: { batch?: Batcher; init?: () => Program<void> } = {}): AsyncApi<P> {
  const run = opts.batch ? { batch: opts.batch } : {};
  const methods = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  let ready: Promise<void> | null = null;
  const init = opts.init;
  return new Proxy({} as AsyncApi<P>, {
    get(_target, name) {
      const member = (programs as Record<PropertyKey, unknown>)[name];
      if (typeof member !== 'function' || name === 'constructor') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (...args: unknown[]) => {
          if (init) {
            ready ??= runAsync(init(), run).catch((err: unknown) => {
              ready = null;
              throw err;
            });
            await ready;
          }
          const out: unknown = member.apply(programs, args);
          return isProgram(out) ? runAsync(out, run) : out;
        };
        methods.set(name, method);
      }
      return method;
    },
  });
}

/** The database as a Batcher when `batch` is asked for (it must have `batch()`, as D1's has). */
export function batcherOf(db: object, batch: boolean | undefined): Batcher | undefined {
  if (!batch) return undefined;
  const b = db as Partial<Batcher>;
  if (typeof b.batch !== 'function') throw new Error('batch: this database has no batch()');
  return b as Batcher;
}

/** The program database over lastgate's schema. */
export type StoreDb = ProgramDb<typeof schema>;
