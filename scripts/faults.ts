/**
 * `npm run faults`: the fault suite. Each fault runs against real processes
 * (`lastgate serve`, `lastgate worker`, redis-server) or a real server on a
 * real SQLite file, under a steady load of submissions sent with an
 * Idempotency-Key and retried on any failure, as a careful client would.
 * Each prints what was acknowledged (201), lost (acknowledged but missing or
 * never reviewed), duplicated (reviewed twice, or two posts for one key)
 * and how long recovery took, and the results are written to
 * RELIABILITY.md. `npm run faults -- --short` runs each fault briefly;
 * `--no-write` leaves RELIABILITY.md alone (the test suite runs it so);
 * fault names pick some (`npm run faults -- server-kill`).
 *
 *   server-kill     `lastgate serve` (embedded queue) killed with SIGKILL under load, restarted
 *   worker-kill     one of two `lastgate worker` processes killed with SIGKILL under load (BullMQ)
 *   redis-outage    redis-server killed for 20 s under 10 posts/s, restarted empty
 *   disk-full       the database's file cannot grow (SQLite's page limit at its size), then can
 *   soak            steady load for a minute (five in a long run): memory and latency over time
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { databasePath } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { machineLine, writeMarkdownSection } from '../bench/report.js';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(REPO, 'bin/lastgate.mjs');
const RELIABILITY_MD = join(REPO, 'RELIABILITY.md');
const SHORT = process.argv.includes('--short');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

/** Starts `lastgate ARGS` and resolves once a line matches `ready`. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`lastgate ${args.join(' ')} not ready:\n${out}`)), 120_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        res(proc);
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (code) => rej(new Error(`lastgate ${args.join(' ')} exited with ${code}:\n${out}`)));
  });
}

function kill(p: ChildProcess | null, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    p.removeAllListeners('exit');
    p.once('exit', () => res());
    p.kill(sig);
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      const { Redis } = await import('ioredis');
      const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      await r.connect();
      await r.ping();
      r.disconnect();
      return proc;
    } catch {
      await sleep(50);
    }
  }
  throw new Error('redis-server did not start');
}

/** Adds a user straight through the CLI (the server may be down). */
async function addUser(dataDir: string): Promise<string> {
  const p = spawn(process.execPath, [BIN, 'user', 'add', '--name', '压测编辑', '--role', 'editor', '--account', '人社官微', '--token-only'], { env: { ...process.env, DATA_DIR: dataDir }, cwd: REPO });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await new Promise((r) => p.once('exit', r));
  return out.trim().split('\n').at(-1)!.trim();
}

interface Load {
  /** Keys acknowledged with 201, and the post id each got. */
  acked: Map<string, string>;
  latencies: number[];
  failures: number;
  stop(): Promise<void>;
}

/**
 * Submits `perSecond` posts a second to `base`, each with its own
 * Idempotency-Key, retrying a failed or unanswered request with the same key
 * until it is acknowledged (or the load stops).
 */
function load(base: string, token: string, perSecond: number, tag: string): Load {
  const acked = new Map<string, string>();
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const inflight = new Set<Promise<void>>();
  let n = 0;
  const one = async (i: number) => {
    const key = `${tag}-${i}`;
    const body = JSON.stringify({ account: '人社官微', title: `${tag} 第${i}期`, body: `故障测试第${i}篇稿件，咨询电话12333。` });
    for (let attempt = 0; running || attempt === 0; attempt++) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}/api/posts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body, signal: AbortSignal.timeout(10_000) });
        if (res.status === 201) {
          latencies.push(performance.now() - t0);
          acked.set(key, ((await res.json()) as { id: string }).id);
          return;
        }
        failures++;
      } catch {
        failures++;
      }
      await sleep(200);
    }
  };
  const timer = setInterval(() => {
    if (!running) return;
    const p = one(n++).finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / perSecond);
  return {
    acked,
    latencies,
    get failures() {
      return failures;
    },
    async stop() {
      clearInterval(timer);
      // Let the retries of what was sent finish (they keep going while the server is back).
      const until = Date.now() + 60_000;
      while (inflight.size > 0 && Date.now() < until) await sleep(100);
      running = false;
      await Promise.all([...inflight]);
    },
  };
}

interface Outcome {
  fault: string;
  acknowledged: number;
  lost: number;
  duplicated: number;
  recoveryMs: number | null;
  p99Ms: number;
  note: string;
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! : 0;
};

/** Lost: acknowledged posts missing or not machine-reviewed; duplicated: a version reviewed twice, or a key that made two posts. */
function audit(dataDir: string, acked: Map<string, string>): { lost: number; duplicated: number; reviewed: number } {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    const has = db.prepare(`SELECT p.status, (SELECT count(*) FROM machine_reviews m JOIN post_versions v ON v.id = m.version_id WHERE v.post_id = p.id) AS reviews FROM posts p WHERE p.id = ?`);
    let lost = 0;
    let duplicated = 0;
    let reviewed = 0;
    for (const id of acked.values()) {
      const r = has.get(id) as { status: string; reviews: number } | undefined;
      if (!r || r.reviews === 0) lost++;
      else reviewed++;
      if (r && r.reviews > 1) duplicated++;
    }
    // Two posts with the same title would be a retried key stored twice.
    duplicated += db.prepare(`SELECT count(*) FROM (SELECT v.title FROM post_versions v WHERE v.version = 1 GROUP BY v.title HAVING count(*) > 1)`).pluck().get() as number;
    duplicated += db.prepare(`SELECT count(*) FROM (SELECT entity_id FROM audit_log WHERE action = 'post.machine_review' GROUP BY entity_id, json_extract(data, '$.version') HAVING count(*) > 1)`).pluck().get() as number;
    return { lost, duplicated, reviewed };
  } finally {
    db.close();
  }
}

async function waitReviewed(dataDir: string, acked: Map<string, string>, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (audit(dataDir, acked).lost === 0) return Date.now() - t0;
    await sleep(200);
  }
  return null;
}

/**
 * A fresh data directory with an editor, the environment of a `lastgate`
 * process serving it on a free port (rules only), and where it answers;
 * `extra` adds to the environment (REDIS_URL, …).
 */
async function deployment(extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lastgate-fault-'));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LASTGATE_CLASSIFIER: 'off', ...extra };
  return { dataDir, env, base: `http://127.0.0.1:${port}`, token: await addUser(dataDir) };
}

async function serverKill(): Promise<Outcome> {
  const { dataDir, env, base, token } = await deployment();
  let server = await start(['serve'], env, /listening on/);
  const l = load(base, token, 20, 'server-kill');
  await sleep(SHORT ? 3000 : 10_000);
  await kill(server);
  const killedAt = Date.now();
  await sleep(1000);
  server = await start(['serve'], env, /listening on/);
  const upMs = Date.now() - killedAt;
  await sleep(SHORT ? 2000 : 5000);
  await l.stop();
  const recovery = await waitReviewed(dataDir, l.acked, 60_000);
  await kill(server, 'SIGTERM');
  const a = audit(dataDir, l.acked);
  return { fault: 'server-kill', acknowledged: l.acked.size, lost: a.lost, duplicated: a.duplicated, recoveryMs: recovery === null ? null : upMs + recovery, p99Ms: p99(l.latencies), note: `SIGKILL at 20 posts/s; clients retried ${l.failures} failed requests with their Idempotency-Key; back up ${upMs} ms after the kill` };
}

async function workerKill(): Promise<Outcome> {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const { dataDir, env, base, token } = await deployment({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, LASTGATE_JOB_LOCK_MS: '2000' });
  const server = await start(['serve'], env, /listening on/);
  const workers = await Promise.all([start(['worker'], env, /worker ready/), start(['worker'], env, /worker ready/)]);
  const l = load(base, token, 20, 'worker-kill');
  await sleep(SHORT ? 3000 : 10_000);
  await kill(workers[0]!);
  const killedAt = Date.now();
  await sleep(SHORT ? 2000 : 5000);
  await l.stop();
  const recovery = await waitReviewed(dataDir, l.acked, 60_000);
  for (const p of [workers[1]!, server]) await kill(p, 'SIGTERM');
  await kill(redis);
  const a = audit(dataDir, l.acked);
  return { fault: 'worker-kill', acknowledged: l.acked.size, lost: a.lost, duplicated: a.duplicated, recoveryMs: recovery === null ? null : Date.now() - killedAt, p99Ms: p99(l.latencies), note: 'SIGKILL of one of two workers at 20 posts/s; its jobs stalled and were taken over (lock 2 s)' };
}

async function redisOutage(): Promise<Outcome> {
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const { dataDir, env, base, token } = await deployment({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  const server = await start(['serve'], env, /listening on/);
  const worker = await start(['worker'], env, /worker ready/);
  const l = load(base, token, 10, 'redis-outage');
  await sleep(SHORT ? 2000 : 5000);
  const before = l.latencies.length;
  await kill(redis);
  const outageMs = SHORT ? 5000 : 20_000;
  const healthMs: number[] = [];
  const until = Date.now() + outageMs;
  while (Date.now() < until) {
    const t0 = performance.now();
    await fetch(`${base}/healthz`);
    healthMs.push(performance.now() - t0);
    await sleep(500);
  }
  const during = l.latencies.slice(before);
  redis = await startRedis(redisPort);
  const backAt = Date.now();
  await sleep(SHORT ? 2000 : 5000);
  await l.stop();
  const recovery = await waitReviewed(dataDir, l.acked, 120_000);
  for (const p of [worker, server]) await kill(p, 'SIGTERM');
  await kill(redis);
  const a = audit(dataDir, l.acked);
  return {
    fault: 'redis-outage',
    acknowledged: l.acked.size,
    lost: a.lost,
    duplicated: a.duplicated,
    recoveryMs: recovery === null ? null : Date.now() - backAt,
    p99Ms: p99(during),
    note: `redis-server killed for ${outageMs / 1000} s at 10 posts/s and restarted empty; POST p99 during the outage ${Math.round(p99(during))} ms (${during.length} posts), /healthz max ${Math.round(Math.max(...healthMs))} ms`,
  };
}

async function diskFull(): Promise<Outcome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lastgate-fault-'));
  const app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir, threads: 1, classifier: false }, { quiet: true });
  const token = app.store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token;
  const base = `http://127.0.0.1:${app.port}`;
  const post = (i: number) => fetch(`${base}/api/posts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `disk-${i}` }, body: JSON.stringify({ account: '人社官微', title: `disk-full 第${i}期`, body: '字'.repeat(20_000) }) });
  const acked = new Map<string, string>();
  for (let i = 0; i < 5; i++) {
    const r = await post(i);
    if (r.status === 201) acked.set(`disk-${i}`, ((await r.json()) as { id: string }).id);
  }
  const pages = app.db.$client.pragma('page_count', { simple: true }) as number;
  app.db.$client.pragma(`max_page_count = ${pages}`);
  const full = await post(100);
  const reason = ((await full.json()) as { error: string }).error;
  const health = (await fetch(`${base}/healthz`)).status;
  app.db.$client.pragma('max_page_count = 1073741823');
  const freedAt = Date.now();
  const again = await post(100);
  if (again.status === 201) acked.set('disk-100', ((await again.json()) as { id: string }).id);
  const recovery = await waitReviewed(dataDir, acked, 60_000);
  await app.close();
  const a = audit(dataDir, acked);
  return { fault: 'disk-full', acknowledged: acked.size, lost: a.lost, duplicated: a.duplicated, recoveryMs: recovery === null ? null : Date.now() - freedAt, p99Ms: 0, note: `while full: ${full.status} "${reason}", /healthz ${health}; once there was room the same request (same key) got ${again.status}` };
}

async function soak(): Promise<Outcome> {
  const { dataDir, env, base, token } = await deployment();
  const server = await start(['serve'], env, /listening on/);
  const rss = () => Number(readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  const l = load(base, token, 50, 'soak');
  const minutes = SHORT ? 0.5 : process.argv.includes('--long') ? 5 : 1;
  await sleep(10_000);
  const rssEarly = rss();
  await sleep(minutes * 60_000 - 10_000);
  const rssLate = rss();
  await l.stop();
  const recovery = await waitReviewed(dataDir, l.acked, 60_000);
  await kill(server, 'SIGTERM');
  const a = audit(dataDir, l.acked);
  return { fault: 'soak', acknowledged: l.acked.size, lost: a.lost, duplicated: a.duplicated, recoveryMs: recovery, p99Ms: p99(l.latencies), note: `${minutes} min at 50 posts/s; server RSS ${Math.round(rssEarly)} MiB after 10 s, ${Math.round(rssLate)} MiB at the end` };
}

const FAULTS: Record<string, () => Promise<Outcome>> = { 'server-kill': serverKill, 'worker-kill': workerKill, 'redis-outage': redisOutage, 'disk-full': diskFull, soak };

const results: Outcome[] = [];
const load0 = loadavg()[0]!;
for (const [name, fn] of Object.entries(FAULTS)) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`fault ${name}…\n`);
  const r = await fn();
  results.push(r);
  console.log(JSON.stringify(r));
}
if (process.argv.includes('--no-write')) process.exit(results.some((r) => r.lost > 0 || r.duplicated > 0 || r.recoveryMs === null) ? 1 : 0);
const table = results
  .map((r) => `| ${r.fault} | ${r.acknowledged} | ${r.lost} | ${r.duplicated} | ${r.recoveryMs === null ? 'not recovered' : `${(r.recoveryMs / 1000).toFixed(1)} s`} | ${r.p99Ms ? `${Math.round(r.p99Ms)} ms` : '—'} | ${r.note} |`)
  .join('\n');
writeMarkdownSection(
  RELIABILITY_MD,
  SHORT ? 'Fault suite (short run)' : 'Fault suite',
  `Command: \`npm run faults${SHORT ? ' -- --short' : ''}\` (\`scripts/faults.ts\`). Machine: ${machineLine()}. Measured ${new Date().toISOString().slice(0, 10)}, load average ${load0.toFixed(1)} at the start.

Clients send each post with its own Idempotency-Key and retry a failed or unanswered request with the same key. *Lost*: acknowledged (201) but missing or never machine-reviewed. *Duplicated*: a version reviewed twice, or one key stored as two posts. *Recovery*: from the end of the fault until every acknowledged post was reviewed. POST p99: over the whole run (for redis-outage: during the outage).

| fault | acknowledged | lost | duplicated | recovery | POST p99 | what happened |
|---|---:|---:|---:|---|---:|---|
${table}`,
  '# Reliability\n\nHow lastgate behaves under faults, measured by `npm run faults`; short versions run in `npm test`: the server SIGKILL fault of this suite (test/faults.test.ts), Redis killed and frozen and a worker SIGKILLed (test/queue/bullmq.test.ts), disk full and read-only database (test/http/storage-faults.test.ts).\n',
);
const bad = results.filter((r) => r.lost > 0 || r.duplicated > 0 || r.recoveryMs === null);
process.exit(bad.length ? 1 : 0);
