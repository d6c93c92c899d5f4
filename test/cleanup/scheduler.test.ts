/**
 * The scheduler fires in both modes: a timer in the embedded mode, a BullMQ job
 * scheduler with REDIS_URL. Each tick publishes due scheduled posts through the
 * account's publisher, raises freshness alerts and starts the daily cleanup.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir, result } from '../helpers/db.js';
import { waitFor } from '../helpers/http.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let hook: Server;
let hookUrl: string;
beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://weibo.com/p/${JSON.parse(body).postId}` })));
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/`;
});
afterAll(() => hook.close());

async function scheduledPost(app: Running): Promise<string> {
  const store = app.store;
  const admin = (await store.authenticate(store.addUser({ name: '管理员', role: 'admin' }).token))!;
  const editor = (await store.authenticate(store.addUser({ name: '编辑', role: 'editor', accounts: ['上海人社微博'] }).token))!;
  const reviewer = (await store.authenticate(store.addUser({ name: '审核员', role: 'reviewer' }).token))!;
  await store.setAccountSettings(admin, '上海人社微博', { publisher: 'webhook', publisherUrl: hookUrl });
  const p = await store.submitPost(editor, { account: '上海人社微博', body: '本周六举办招聘会，欢迎参加。' });
  const v = app.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ?').pluck().get(p.id) as number;
  store.applyMachineReview(v, result());
  const [t] = await store.listTasks(reviewer, { postId: p.id, limit: 1 });
  await store.decide(reviewer, t!.id, { decision: 'approve' });
  await store.schedulePost(editor, p.id, { publishAt: new Date(Date.now() + 300).toISOString() });
  return p.id;
}

async function expectFires(app: Running, postId: string) {
  await waitFor(async () => app.ticker.ticks >= 2 && (await app.store.getPost({ id: 0, name: 'test', role: 'admin', accountIds: [] }, postId)).status === 'published', 30_000, 'the scheduler to publish the post');
  const post = await app.store.getPost({ id: 0, name: 'test', role: 'admin', accountIds: [] }, postId);
  expect(post.publications[0]!.url).toBe(`https://weibo.com/p/${postId}`);
  // The first tick of the day also started the daily cleanup scan.
  await waitFor(async () => app.db.$client.prepare(`SELECT count(*) FROM cleanup_runs WHERE trigger = 'schedule'`).pluck().get() === 1, 30_000, 'daily cleanup');
}

describe('scheduler', () => {
  it('fires in the embedded mode', async () => {
    const app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1, schedulerMs: 200 }, { quiet: true });
    try {
      await expectFires(app, await scheduledPost(app));
    } finally {
      await app.close();
    }
  }, 60_000);

  describe('with Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => redis?.stop());

    it('fires from a BullMQ job scheduler', async () => {
      const app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), redisUrl: redis.url, schedulerMs: 200 }, { quiet: true });
      try {
        await expectFires(app, await scheduledPost(app));
        const { Redis } = await import('ioredis');
        const r = new Redis(redis.url);
        const keys = await r.keys('bull:lastgate-scheduler:repeat*');
        r.disconnect();
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        await app.close();
      }
    }, 60_000);
  });
});
