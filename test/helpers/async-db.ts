/**
 * An async drizzle database for tests: sqlite-proxy over better-sqlite3, each
 * statement answered on a later turn of the event loop (as D1 answers), so
 * nothing can pass by running synchronously.
 */
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { openDb } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { tempDir } from './db.js';

/**
 * A migrated, seeded database and an async drizzle database over it. Its batch
 * runs the statements in one transaction, as D1's does.
 */
export function asyncDb() {
  const db = openDb(tempDir());
  const sqlite = db.$client;
  const stats = { statements: 0, roundTrips: 0 };
  const exec = (query: string, params: unknown[], method: string) => {
    stats.statements++;
    const stmt = sqlite.prepare(query);
    if (method === 'run') {
      stmt.run(...params);
      return { rows: [] };
    }
    if (method === 'get') return { rows: stmt.raw().get(...params) as unknown[] };
    return { rows: stmt.raw().all(...params) as unknown[][] };
  };
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const proxy = drizzle(
    async (query, params, method) => {
      await nextTurn();
      stats.roundTrips++;
      return exec(query, params, method);
    },
    async (queries) => {
      await nextTurn();
      stats.roundTrips++;
      return sqlite.transaction(() => queries.map((q) => exec(q.sql, q.params, q.method)))();
    },
    { schema },
  );
  return { db, proxy, stats };
}
