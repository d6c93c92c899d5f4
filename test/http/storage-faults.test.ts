/**
 * Storage faults reach clients as answers they can act on: a full disk as
 * 507 and a read-only database as 503, each with a Chinese and English
 * reason; nothing of the request is written, the server stays up, and it
 * recovers by itself once the fault is gone. The faults are real SQLite
 * errors on the server's own connection (a page limit at the file's current
 * size; query-only mode), on a real server and SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/server.js';
import { tempDir } from '../helpers/db.js';
import { client } from '../helpers/http.js';

let app: Running;
let editor: ReturnType<typeof client>;
let token: string;

beforeAll(async () => {
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1, classifier: false }, { quiet: true });
  token = app.store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token;
  editor = client(`http://127.0.0.1:${app.port}`, token);
});
afterAll(async () => {
  await app?.close();
});

const count = (table: string) => app.db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('storage faults', () => {
  it('a full disk is a 507 with a reason, writes nothing, and passes once there is room again', async () => {
    expect((await editor.post('/api/posts', { account: '人社官微', body: '磁盘写满之前的稿件。' })).status).toBe(201);
    const before = { posts: count('posts'), versions: count('post_versions'), audit: count('audit_log') };
    const pages = app.db.$client.pragma('page_count', { simple: true }) as number;
    app.db.$client.pragma(`max_page_count = ${pages}`);
    const full = await editor.post('/api/posts', { account: '人社官微', body: '字'.repeat(40_000) });
    expect(full.status).toBe(507);
    expect(full.body.error).toMatch(/存储空间已满.*storage full/);
    expect({ posts: count('posts'), versions: count('post_versions'), audit: count('audit_log') }).toEqual(before);
    // Health stays answerable meanwhile.
    expect((await client(`http://127.0.0.1:${app.port}`).get('/healthz')).status).toBe(200);
    app.db.$client.pragma('max_page_count = 1073741823');
    expect((await editor.post('/api/posts', { account: '人社官微', body: '字'.repeat(40_000) })).status).toBe(201);
  });

  it('a read-only database is a 503 with Retry-After and a reason, and recovers', async () => {
    app.db.$client.pragma('query_only = ON');
    const res = await fetch(`http://127.0.0.1:${app.port}/api/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account: '人社官微', body: '只读期间的稿件。' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(((await res.json()) as { error: string }).error).toMatch(/无法写入.*storage unavailable/);
    app.db.$client.pragma('query_only = OFF');
    expect((await editor.post('/api/posts', { account: '人社官微', body: '恢复之后的稿件。' })).status).toBe(201);
  });
});
