/**
 * Cleanup re-scan of the published archive with BullMQ and two `lastgate
 * worker` processes: time and posts per second at 100k and 1M published posts
 * (~600 characters each), to show how the time grows.
 *
 * The archive is generated straight into SQLite (with the task, approval and
 * publication rows the database's invariants demand), then a real server with
 * REDIS_URL runs the cleanup (rules re-scan, policy citations, deadlines).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { openDb } from '../src/db/client.js';
import { SqliteStore } from '../src/service/sqlite.js';
import { startServer } from '../src/server.js';
import { loadConfig } from '../src/config.js';
import { tempDir } from '../test/helpers/db.js';
import { startRedis } from '../test/helpers/redis.js';
import { lastgateProcess, stopProcess } from '../test/helpers/cli.js';
import { machineLine, writeSection } from './report.js';

const SIZES = (process.env.BENCH_CLEANUP_SIZES ?? '100000,1000000').split(',').map(Number);

const PARAGRAPHS = [
  '为深入实施就业优先战略，进一步做好高校毕业生等重点群体就业工作，市人力资源社会保障局会同有关部门制定了相关政策措施。',
  '用人单位招用符合条件的人员，签订一年以上劳动合同并按规定缴纳社会保险费的，可按规定申请一次性吸纳就业补贴。',
  '参保人员可通过“随申办”移动端、上海人社网上服务大厅等渠道查询个人社会保险缴费记录，咨询电话12333。',
  '职业技能等级认定实行社会化评价，评价机构应当严格执行国家职业标准，确保评价质量。',
  '本市将继续开展“乐业上海”系列招聘活动，为劳动者和用人单位搭建供需对接平台。',
  '对符合条件的困难人员，按规定给予社会保险补贴和岗位补贴。',
  '各区公共就业服务机构提供政策咨询、职业指导和岗位推荐等服务。',
  '企业可登录上海人社网上服务大厅在线办理相关业务，无需提交纸质材料。',
];
/** One post in 20 cites the repealed policy, one in 25 names a deadline that has passed. */
const CITES_POLICY = '根据沪人社规〔2023〕12号文件精神，自2024年1月1日起调整本市职工基本养老金。';
const PAST_DEADLINE = '报名截止时间为2025年3月31日，逾期不予受理。';

function post(i: number): string {
  let s = `第${i}期就业服务信息。${i % 20 === 0 ? CITES_POLICY : ''}${i % 25 === 0 ? PAST_DEADLINE : ''}`;
  let k = i;
  while (s.length < 600) {
    s += PARAGRAPHS[k % PARAGRAPHS.length];
    k = (k * 7 + 3) % 1009;
  }
  return s.slice(0, 600);
}

/** Appends published posts until the archive holds `total`. */
function grow(dataDir: string, total: number): number {
  const db = openDb(dataDir);
  const store = new SqliteStore(db);
  const have = db.$client.prepare(`SELECT count(*) FROM posts WHERE status = 'published'`).pluck().get() as number;
  let editorId = db.$client.prepare(`SELECT id FROM users WHERE name = 'bench-editor'`).pluck().get() as number | undefined;
  let reviewerId = db.$client.prepare(`SELECT id FROM users WHERE name = 'bench-reviewer'`).pluck().get() as number | undefined;
  if (!editorId) editorId = store.addUser({ name: 'bench-editor', role: 'editor', accounts: ['人社官微'] }).id;
  if (!reviewerId) reviewerId = store.addUser({ name: 'bench-reviewer', role: 'reviewer' }).id;
  const s = db.$client;
  const insPost = s.prepare(`INSERT INTO posts (id, account_id, author_id, status, current_version, created_at, updated_at) VALUES (?, 1, ?, 'published', 1, ?, ?)`);
  const insVer = s.prepare(`INSERT INTO post_versions (post_id, version, title, body, platform, publish_date, content_hash) VALUES (?, 1, ?, ?, 'wechat', '2025-06-01', ?)`);
  const insTask = s.prepare(`INSERT INTO review_tasks (post_id, version_id, state, required_approvals) VALUES (?, ?, 'done', 1)`);
  const insDec = s.prepare(`INSERT INTO decisions (task_id, post_id, version_id, reviewer_id, decision) VALUES (?, ?, ?, ?, 'approve')`);
  const insPub = s.prepare(`INSERT INTO publications (post_id, version_id, account_id, published_by, platform, published_at) VALUES (?, ?, 1, ?, 'wechat', ?)`);
  const at = '2025-06-01T02:00:00.000Z';
  const chunk = s.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = randomUUID();
      const body = post(i);
      insPost.run(id, editorId, at, at);
      const v = Number(insVer.run(id, `就业服务信息第${i}期`, body, createHash('sha1').update(body).digest('hex')).lastInsertRowid);
      const t = Number(insTask.run(id, v).lastInsertRowid);
      insDec.run(t, id, v, reviewerId);
      insPub.run(id, v, editorId, at);
    }
  });
  for (let i = have; i < total; i += 20_000) chunk(i, Math.min(total, i + 20_000));
  db.$client.close();
  return total - have;
}

export async function runCleanupBench() {
  const dataDir = tempDir('lastgate-bench-cleanup-');
  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  const rows: Array<{ posts: number; seconds: number; perSec: number; opened: number; generated: number; genSeconds: number }> = [];
  try {
    for (let w = 0; w < 2; w++) workers.push((await lastgateProcess(['worker', '--concurrency', '1'], { REDIS_URL: redis.url, LASTGATE_CLASSIFIER: 'off' }, /worker ready/, 120_000)).proc);
    for (const size of SIZES) {
      const g0 = performance.now();
      const generated = grow(dataDir, size);
      const genSeconds = (performance.now() - g0) / 1000;
      const app = await startServer(
        { ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir, redisUrl: redis.url, classifier: false, schedulerMs: 3_600_000 },
        { quiet: true, cleanup: { batchSize: 1000, inFlight: 6 } },
      );
      try {
        const comp = (await app.store.authenticate(app.store.addUser({ name: `bench-compliance-${size}`, role: 'compliance' }).token))!;
        await app.store.addPolicy(comp, { docNo: '沪人社规〔2023〕12号', title: '关于调整本市职工基本养老金的通知', status: 'repealed' });
        const t0 = performance.now();
        const run = app.cleanup.startRun({ trigger: 'bench', checks: ['rescan', 'policy', 'deadline'], asOf: '2026-11-23' });
        let lastPct = -1;
        await app.cleanup.waitIdle(3_600_000, () => {
          const r = app.cleanup.run(run.id);
          if (r.percent >= lastPct + 10) {
            lastPct = r.percent;
            process.stderr.write(`  ${size}: ${r.percent}% (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
          }
        });
        const seconds = (performance.now() - t0) / 1000;
        const r = app.cleanup.run(run.id);
        rows.push({ posts: r.totalPosts, seconds, perSec: r.totalPosts / seconds, opened: r.opened, generated, genSeconds });
        console.log(`cleanup re-scan of ${r.totalPosts} posts: ${seconds.toFixed(1)} s, ${(r.totalPosts / seconds).toFixed(0)} posts/s, ${r.opened} tasks opened`);
      } finally {
        await app.close();
      }
    }
  } finally {
    for (const w of workers) await stopProcess(w);
    await redis.stop();
  }
  const base = rows[0]!;
  const table = [
    '| published posts | re-scan time | posts/s | time relative to first size ÷ size ratio | cleanup tasks opened |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.posts.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${r.perSec.toFixed(0)} | ${(r.seconds / base.seconds / (r.posts / base.posts)).toFixed(2)} | ${r.opened.toLocaleString('en')} |`),
  ].join('\n');
  writeSection(
    'Cleanup re-scan (BullMQ, two workers)',
    `Machine: ${machineLine()}. Command: \`npm run bench\` (this part alone: \`node bin/run-ts.mjs bench/cleanup.ts\`; sizes via BENCH_CLEANUP_SIZES).\n` +
      'Published posts of ~600 characters generated into SQLite; a server with REDIS_URL runs one cleanup run (checks: rules re-scan with the default packs, ' +
      'policy citations against a registry with one repealed 文号 (cited by one post in 20), passed deadlines (one post in 25)) in batches of 1,000 posts; two `lastgate worker --concurrency 1` processes run the re-scan jobs; ' +
      'server, workers and redis-server share the 2 cores. A value of 1.00 in the fourth column means perfectly linear growth. Target: 1M posts in under 5 minutes.\n\n' +
      table,
  );
  console.log(table);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCleanupBench();
}
