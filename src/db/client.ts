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

export function openDb(dataDir: string, opts: { seed?: boolean } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(databasePath(dataDir));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  if (opts.seed !== false) seedDefaults(db);
  return db;
}
