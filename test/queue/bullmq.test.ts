/**
 * The distributed mode for real: a redis-server on a free loopback port, the API
 * server with REDIS_URL, and two `lastgate worker` processes. 1,000 posts over
 * HTTP each get exactly one review task even though one worker is SIGKILLed
 * mid-job; while Redis is down the API keeps answering at once and posts
 * accepted meanwhile are reviewed exactly once after it is back, empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { MACHINE_REVIEW_QUEUE } from '../../src/queue/job.js';
import { lastgateProcess, stopProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { client, waitFor } from '../helpers/http.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let app: Running;
let base: string;
let editorToken: string;
const workers: ChildProcess[] = [];

const WORKER_ENV = (url: string) => ({ REDIS_URL: url, LASTGATE_JOB_LOCK_MS: '2000', LASTGATE_FAULT_JOB_DELAY_MS: '10' });

async function startWorker(): Promise<ChildProcess> {
  const { proc } = await lastgateProcess(['worker', '--concurrency', '4'], WORKER_ENV(redis.url), /worker ready/, 90_000);
  workers.push(proc);
  return proc;
}

beforeAll(async () => {
  redis = await startRedis();
  app = await startServer(
    { ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), redisUrl: redis.url },
    { quiet: true, bull: { sweepMs: 250, staleMs: 3000 } },
  );
  base = `http://127.0.0.1:${app.port}`;
  editorToken = app.store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微', '上海社保'] }).token;
  await Promise.all([startWorker(), startWorker()]);
}, 180_000);

afterAll(async () => {
  for (const w of workers) await stopProcess(w, 'SIGKILL');
  await app?.close();
  await redis?.stop();
});

const scalar = (sql: string) => app.db.$client.prepare(sql).pluck().get() as number;

async function submitMany(n: number, tag: string): Promise<string[]> {
  const editor = client(base, editorToken);
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const r = await editor.post('/api/posts', {
          account: i % 2 ? '人社官微' : '上海社保',
          title: `${tag} 第${i}期就业服务信息`,
          body: `本期发布第${i}批岗位信息，求职者可登录“乐业上海”平台查询，咨询电话12333。${i % 7 === 0 ? '据报道，台湾政府近日发布数据。' : ''}`,
        });
        if (r.status !== 201) throw new Error(`submit ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        ids.push(r.body.id);
      }
    }),
  );
  return ids;
}

describe('BullMQ mode with two worker processes', () => {
  it('reviews 1,000 posts exactly once each, even when a worker is SIGKILLed mid-job', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(MACHINE_REVIEW_QUEUE, { connection });
    const victim = workers[0]!;
    const submitting = submitMany(1000, 'A');
    // Kill it while it holds jobs: as soon as one of its jobs is active.
    const held = await waitFor(async () => {
      const active = await queue.getActive();
      const mine = active.filter((j) => j.processedBy?.endsWith(`:${victim.pid}`));
      return mine.length > 0 ? mine.map((j) => j.id) : null;
    }, 60_000, 'an active job on the victim');
    victim.kill('SIGKILL');
    expect(held.length).toBeGreaterThan(0);
    const ids = await submitting;
    await waitFor(async () => scalar(`SELECT count(*) FROM posts WHERE status = 'submitted'`) === 0, 120_000, 'all posts reviewed');
    await queue.close();
    connection.disconnect();

    expect(scalar('SELECT count(*) FROM posts')).toBe(1000);
    expect(scalar('SELECT count(*) FROM machine_reviews')).toBe(1000);
    expect(scalar('SELECT count(*) FROM review_tasks')).toBe(1000);
    expect(scalar('SELECT count(DISTINCT post_id) FROM review_tasks')).toBe(1000);
    expect(scalar(`SELECT count(*) FROM outbox WHERE state <> 'done'`)).toBe(0);
    // Each killed job was reviewed too.
    for (const jobId of held) {
      const versionId = Number(String(jobId).split('-').at(-1));
      expect(scalar(`SELECT count(*) FROM machine_reviews WHERE version_id = ${versionId}`)).toBe(1);
    }
    // The posts that mention 台湾政府 (every 7th) were all routed to two approvals.
    expect(ids).toHaveLength(1000);
    expect(scalar(`SELECT count(*) FROM review_tasks t JOIN post_versions v ON v.id = t.version_id WHERE v.body LIKE '%台湾政府%'`)).toBe(Math.ceil(1000 / 7));
    expect(scalar(`SELECT count(*) FROM review_tasks t JOIN post_versions v ON v.id = t.version_id WHERE v.body LIKE '%台湾政府%' AND t.required_approvals = 2`)).toBe(Math.ceil(1000 / 7));
  }, 300_000);

  it('keeps answering while Redis is down (POST, /healthz at once; /readyz says what is degraded), then reviews every post accepted meanwhile exactly once', async () => {
    const reviewedBefore = scalar('SELECT count(*) FROM machine_reviews');
    const postsBefore = scalar('SELECT count(*) FROM posts');
    await redis.stop();
    // 10 posts a second for 5 seconds, each timed, with a health probe beside each.
    const editor = client(base, editorToken);
    const postMs: number[] = [];
    const healthMs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const r = await editor.post('/api/posts', { account: '人社官微', title: `B 第${i}期`, body: `Redis 停止期间提交的第${i}篇稿件，咨询电话12333。` });
      postMs.push(performance.now() - t0);
      expect(r.status).toBe(201);
      const h0 = performance.now();
      expect((await client(base).get('/healthz')).status).toBe(200);
      healthMs.push(performance.now() - h0);
      await new Promise((res) => setTimeout(res, Math.max(0, 100 - (performance.now() - t0))));
    }
    const ready = await client(base).get('/readyz');
    expect(ready).toMatchObject({ status: 503, body: { ok: false, queue: 'down', database: 'ok' } });
    expect(ready.body.outboxOpen).toBeGreaterThanOrEqual(50);
    expect(Math.max(...postMs), `POST latencies ${postMs.map(Math.round).join(',')}`).toBeLessThan(2000);
    expect(Math.max(...healthMs)).toBeLessThan(2000);
    expect(scalar(`SELECT count(*) FROM outbox WHERE state = 'pending'`)).toBe(50);

    // Back, empty (no persistence): everything accepted meanwhile is reviewed, each post once.
    await redis.restart();
    await waitFor(async () => scalar(`SELECT count(*) FROM posts WHERE status = 'submitted'`) === 0, 120_000, 'posts reviewed after Redis came back');
    await waitFor(async () => (await client(base).get('/readyz')).status === 200, 30_000, 'ready again');
    expect(scalar('SELECT count(*) FROM posts') - postsBefore).toBe(50);
    expect(scalar('SELECT count(*) FROM machine_reviews') - reviewedBefore).toBe(50);
    expect(scalar('SELECT count(*) FROM review_tasks')).toBe(scalar('SELECT count(*) FROM posts'));
    expect(scalar(`SELECT count(*) FROM (SELECT entity_id FROM audit_log WHERE action = 'post.machine_review' GROUP BY entity_id HAVING count(*) > 1)`)).toBe(0);
  }, 300_000);

  it('a second database on the same Redis gets its own results, though its version ids repeat the first one\'s', async () => {
    // The first server reviewed versions 1, 2, … already; a fresh database numbers its versions from 1 again.
    const second = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), redisUrl: redis.url }, { quiet: true, bull: { sweepMs: 250, staleMs: 3000 } });
    try {
      const token = second.store.addUser({ name: '另一编辑', role: 'editor', accounts: ['人社官微'] }).token;
      const ed = client(`http://127.0.0.1:${second.port}`, token);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await ed.post('/api/posts', { account: '人社官微', body: `第${i}篇：据报道，台湾政府近日发布数据。` })).body.id);
      const q = (sql: string) => second.db.$client.prepare(sql).pluck().get() as number;
      await waitFor(async () => q(`SELECT count(*) FROM posts WHERE status = 'submitted'`) === 0, 60_000, 'second database reviewed');
      expect(q('SELECT min(id) FROM post_versions')).toBe(1);
      // Its own findings (台湾政府 → political, two approvals), not the first database's results for the same version ids.
      expect(q(`SELECT count(*) FROM machine_reviews WHERE categories LIKE '%political%'`)).toBe(5);
      expect(q('SELECT count(*) FROM review_tasks WHERE required_approvals = 2')).toBe(5);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('rides out a Redis that stops answering (frozen, connections open): POSTs stay fast, /readyz turns 503 after the command timeout, and every post is reviewed once after', async () => {
    const reviewedBefore = scalar('SELECT count(*) FROM machine_reviews');
    redis.pause();
    const editor = client(base, editorToken);
    const postMs: number[] = [];
    for (let i = 0; i < 80; i++) {
      const t0 = performance.now();
      expect((await editor.post('/api/posts', { account: '上海社保', body: `Redis 无响应期间的第${i}篇稿件。` })).status).toBe(201);
      postMs.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, Math.max(0, 100 - (performance.now() - t0))));
    }
    expect(Math.max(...postMs), `POST latencies ${postMs.map(Math.round).join(',')}`).toBeLessThan(2000);
    expect(await client(base).get('/readyz')).toMatchObject({ status: 503, body: { queue: 'down' } });
    redis.resume();
    await waitFor(async () => scalar(`SELECT count(*) FROM posts WHERE status = 'submitted'`) === 0, 120_000, 'posts reviewed after Redis answered again');
    expect(scalar('SELECT count(*) FROM machine_reviews') - reviewedBefore).toBe(80);
    expect(scalar(`SELECT count(*) FROM (SELECT entity_id FROM audit_log WHERE action = 'post.machine_review' GROUP BY entity_id HAVING count(*) > 1)`)).toBe(0);
  }, 300_000);
});
