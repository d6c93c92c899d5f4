/**
 * End-to-end pipeline benchmark: posts submitted per second through the HTTP
 * API, and the time from submit to review task, in both queue modes (embedded
 * worker threads; BullMQ with two `lastgate worker` processes).
 */
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { startServer } from '../src/server.js';
import { loadConfig, type Config } from '../src/config.js';
import { tempDir } from '../test/helpers/db.js';
import { startRedis } from '../test/helpers/redis.js';
import { lastgateProcess, stopProcess } from '../test/helpers/cli.js';
import { machineLine, percentile, writeSection } from './report.js';
import { startBaseline } from './baseline-server.js';

const N = Number(process.env.BENCH_PIPELINE_POSTS ?? 2000);
const CONCURRENCY = 32;

const BODY = '为进一步做好高校毕业生就业服务工作，市人力资源社会保障局将于本月举办专场招聘会，现将有关事项通知如下。一、活动时间和地点。二、参会对象。三、报名方式：求职者可登录“乐业上海”平台报名，咨询电话12333。';

interface Result {
  mode: string;
  posts: number;
  submitPerSec: number;
  reviewedPerSec: number;
  p50: number;
  p99: number;
  /** CPU time of the whole process (every thread: server, pool, load generator) per post, from load start to the last review task. */
  cpuMsPerPost: number;
}

/** What the load generator measured: when each post was sent (epoch ms, by its id) and how long submitting took. */
interface Load {
  sent: Map<string, number>;
  submitSecs: number;
  /** The moment the load started (performance.now()). */
  t0: number;
}

/**
 * The load generator every mode shares: N posts over HTTP, `CONCURRENCY`
 * clients as fast as they are answered, or (`rate`) posts per second offered
 * at a steady pace (open loop).
 */
async function load(base: string, token: string, rate?: number): Promise<Load> {
  const sent = new Map<string, number>();
  const t0 = performance.now();
  const epoch0 = Date.now();
  let next = 0;
  if (rate) {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const due = (i * 1000) / rate;
      const wait = due - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = epoch0 + (performance.now() - t0);
      pending.push(submit(base, token, `第${i}期`).then((id) => void sent.set(id, start)));
    }
    await Promise.all(pending);
  } else {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const start = epoch0 + (performance.now() - t0);
          const id = await submit(base, token, `第${i}期`);
          sent.set(id, start);
        }
      }),
    );
  }
  return { sent, submitSecs: (performance.now() - t0) / 1000, t0 };
}

/** The bare Hono + better-sqlite3 server (bench/baseline-server.ts) under the same load: the stack's limit. */
async function runBaseline(): Promise<Result> {
  const server = await startBaseline(tempDir('lastgate-baseline-'));
  try {
    const base = `http://127.0.0.1:${server.port}`;
    await warmUp(base, 'none');
    const cpu0 = process.cpuUsage();
    const { submitSecs } = await load(base, 'none');
    const cpu = process.cpuUsage(cpu0);
    if (server.count() !== N + WARM_UP) throw new Error(`baseline stored ${server.count()} rows, expected ${N + WARM_UP}`);
    return { mode: BASELINE_MODE, posts: N, submitPerSec: N / submitSecs, reviewedPerSec: NaN, p50: NaN, p99: NaN, cpuMsPerPost: (cpu.user + cpu.system) / 1000 / N };
  } finally {
    await server.close();
  }
}

const BASELINE_MODE = 'baseline: bare Hono + better-sqlite3, one INSERT per request in one transaction (no review)';
const EMBEDDED_MODE = 'embedded (SQLite outbox + 2 worker threads)';

async function runMode(mode: string, config: Config, rate?: number): Promise<Result> {
  const app = await startServer(config, { quiet: true });
  try {
    const token = app.store.addUser({ name: 'bench', role: 'editor', accounts: ['人社官微'] }).token;
    const base = `http://127.0.0.1:${app.port}`;
    // Warm up the pipeline (model and rule loading, JIT) before measuring.
    await warmUp(base, token);
    await app.transport.drain?.(120_000);
    const before = app.db.$client.prepare('SELECT count(*) FROM review_tasks').pluck().get() as number;
    const cpu0 = process.cpuUsage();
    const { sent, submitSecs, t0 } = await load(base, token, rate);
    await app.transport.drain?.(600_000);
    for (;;) {
      const done = app.db.$client.prepare('SELECT count(*) FROM review_tasks').pluck().get() as number;
      if (done - before >= N) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const reviewedSecs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const rows = app.db.$client.prepare('SELECT post_id AS postId, created_at AS createdAt FROM review_tasks').all() as Array<{ postId: string; createdAt: string }>;
    const lat = rows.filter((r) => sent.has(r.postId)).map((r) => Date.parse(r.createdAt) - sent.get(r.postId)!).sort((a, b) => a - b);
    return { mode, posts: N, submitPerSec: N / submitSecs, reviewedPerSec: N / reviewedSecs, p50: percentile(lat, 50), p99: percentile(lat, 99), cpuMsPerPost: (cpu.user + cpu.system) / 1000 / N };
  } finally {
    await app.close();
  }
}

/**
 * One submission over node:http with a keep-alive agent (one socket per
 * client): about a third of fetch's client-side CPU, which matters when the
 * load generator shares the 2 cores with the server it drives.
 */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function submit(base: string, token: string, tag: string): Promise<string> {
  const url = new URL(base);
  const body = JSON.stringify({ account: '人社官微', title: `${tag} 招聘会通知`, body: BODY });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/api/posts',
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 201) reject(new Error(`submit failed: ${res.statusCode} ${text}`));
          else resolve((JSON.parse(text) as { id: string }).id);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts sent before measuring (JIT, model and rule loading), in both servers alike. */
const WARM_UP = 200;

async function warmUp(base: string, token: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < WARM_UP) await submit(base, token, `warm-up ${next++}`);
    }),
  );
}

function cell(v: number, unit = ''): string {
  return Number.isFinite(v) ? `${v.toFixed(0)}${unit}` : '—';
}

/**
 * `embeddedOnly` (`--embedded`): the baseline and embedded mode only, printed
 * and not written to BENCHMARKS.md (whose section holds every mode).
 */
export async function runPipelineBench(opts: { embeddedOnly?: boolean } = {}): Promise<Result[]> {
  const load1 = loadavg()[0]!;
  const base = { ...loadConfig({}), port: 0, host: '127.0.0.1' };
  const results: Result[] = [];
  results.push(await runBaseline());
  results.push(await runMode(EMBEDDED_MODE, { ...base, dataDir: tempDir(), threads: 2 }));
  if (!opts.embeddedOnly) {
    const redis = await startRedis();
    const workers: ChildProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        workers.push((await lastgateProcess(['worker', '--concurrency', '4'], { REDIS_URL: redis.url }, /worker ready/, 120_000)).proc);
      }
      results.push(await runMode('BullMQ (redis-server + 2 `lastgate worker` processes)', { ...base, dataDir: tempDir(), redisUrl: redis.url }));
      results.push(await runMode('BullMQ, 200 posts/s offered at a steady pace', { ...base, dataDir: tempDir(), redisUrl: redis.url }, 200));
    } finally {
      for (const w of workers) await stopProcess(w);
      await redis.stop();
    }
  }
  const baseline = results.find((r) => r.mode === BASELINE_MODE)!;
  const ratio = (r: Result) => (r.mode === BASELINE_MODE ? '1.00' : (r.reviewedPerSec / baseline.submitPerSec).toFixed(2));
  const table = [
    '| mode | posts | submitted/s (HTTP 201) | reviewed/s (task created) | reviewed/s ÷ baseline submitted/s | submit→task p50 | submit→task p99 | CPU per post (this process) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.mode} | ${r.posts} | ${cell(r.submitPerSec)} | ${cell(r.reviewedPerSec)} | ${ratio(r)} | ${cell(r.p50, ' ms')} | ${cell(r.p99, ' ms')} | ${r.cpuMsPerPost.toFixed(2)} ms |`),
  ].join('\n');
  console.log(`load average at start: ${load1.toFixed(2)}\n${table}`);
  if (opts.embeddedOnly) {
    agent.destroy();
    return results;
  }
  writeSection(
    'Pipeline (submit → machine review → review task)',
    `Machine: ${machineLine()}. Load average ${load1.toFixed(2)} at the start. Command: \`npm run bench\` (this part alone: \`node bin/run-ts.mjs bench/pipeline.ts\`; baseline and embedded mode only, printed: \`… bench/pipeline.ts --embedded\`).\n` +
      `${N} posts of ~${BODY.length} characters submitted over HTTP by ${CONCURRENCY} concurrent clients (node:http, keep-alive; ${WARM_UP} posts first to warm up, not counted) as fast as they are answered (the maximum), or (BullMQ) at a steady 200 posts/s (the latency at that load; onnxruntime 1.14 cannot be loaded by a second thread pool in one process, so embedded mode runs once), rules + classifier on; ` +
      'the API server, the workers and the load generator share the same 2 cores. ' +
      'The baseline is a bare Hono + better-sqlite3 server (bench/baseline-server.ts) that inserts one row per request in one transaction, in WAL mode with synchronous=NORMAL, driven by the same load generator in the same run: the stack\'s own limit on this machine. CPU per post is the process\'s user + system time (all its threads: server, worker pool, load generator) over the measured part divided by the posts; BullMQ\'s worker processes and Redis are not in it.\n\n' +
      table,
  );
  agent.destroy();
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runPipelineBench({ embeddedOnly: process.argv.includes('--embedded') });
}
