/**
 * Opens the SQLite database in DATA_DIR, applies pending migrations and seeds
 * the default matrix on first start. Every command (server, CLI, tests) opens
 * the database through here so they all see the same schema.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';
import { seedDefaults } from './seed.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** The database file inside a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'lastgate.sqlite');
}

/** Statements kept per connection; the application runs a few hundred distinct queries. */
const STATEMENT_CACHE = 1000;

/**
 * Prepared statements reused by their SQL text. drizzle prepares every query
 * it runs, and preparing cost more than running it (a third of a
 * submission's CPU time); a statement handed out again is reset to its
 * default modes (no pluck, raw or expand), as a fresh one would be.
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let st = cache.get(source);
    if (st && !st.busy) {
      cache.delete(source);
      cache.set(source, st);
      if (st.reader) st.pluck(false).raw(false).expand(false);
      return st;
    }
    st = prepare(source);
    cache.set(source, st);
    if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    return st;
  }) as typeof sqlite.prepare;
}

export function openDb(dataDir: string, opts: { seed?: boolean } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(databasePath(dataDir));
  cacheStatements(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  if (opts.seed !== false) seedDefaults(db);
  return db;
}
