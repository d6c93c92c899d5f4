/**
 * The stack's own limit on this machine, for the pipeline benchmark: a bare
 * Hono + @hono/node-server + better-sqlite3 server that answers
 * `POST /api/posts` by parsing the JSON body and inserting one row in one
 * transaction (a temporary SQLite file in WAL mode with synchronous=NORMAL,
 * as lastgate opens its own), then 201 `{id}`. No authentication, validation,
 * audit or review: what lastgate's full path is compared against.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

export interface Baseline {
  port: number;
  /** Rows inserted so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startBaseline(dir: string): Promise<Baseline> {
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE posts (id TEXT PRIMARY KEY, account TEXT NOT NULL, title TEXT, body TEXT NOT NULL, created_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO posts (id, account, title, body, created_at) VALUES (?, ?, ?, ?, ?)');
  const submit = db.transaction((p: { account: string; title?: string; body: string }) => {
    const id = randomUUID();
    insert.run(id, p.account, p.title ?? null, p.body, new Date().toISOString());
    return id;
  });
  const app = new Hono();
  app.post('/api/posts', async (c) => {
    const p = await c.req.json<{ account: string; title?: string; body: string }>();
    return c.json({ id: submit(p), status: 'submitted' }, 201);
  });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server: s, port: info.port }));
    s.on('error', reject);
  });
  return {
    port,
    count: () => db.prepare('SELECT count(*) FROM posts').pluck().get() as number,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      db.close();
    },
  };
}
