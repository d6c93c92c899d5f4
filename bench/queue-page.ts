/**
 * Server time of the reviewer's queue page and item page with 500 pending
 * items (target: under 200 ms), measured through the Hono app without network.
 */
import { openDb } from '../src/db/client.js';
import { SqliteStore } from '../src/service/sqlite.js';
import { createApp } from '../src/http/app.js';
import { tempDir } from '../test/helpers/db.js';
import type { Hit } from '../src/review/types.js';
import { machineLine, percentile, writeSection } from './report.js';

const PENDING = 500;
const RUNS = 60;

export async function runQueuePageBench() {
  const db = openDb(tempDir());
  const store = new SqliteStore(db);
  const editorToken = store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微', '上海社保', '乐业上海'] }).token;
  const reviewerToken = store.addUser({ name: '审核员', role: 'reviewer' }).token;
  const editor = (await store.authenticate(editorToken))!;
  const accounts = ['人社官微', '上海社保', '乐业上海'];
  const body = '为进一步做好高校毕业生就业服务工作，现将有关事项通知如下。'.repeat(12);
  for (let i = 0; i < PENDING; i++) {
    const p = await store.submitPost(editor, { account: accounts[i % 3]!, title: `第${i}号稿件`, body, date: `2026-12-${String((i % 28) + 1).padStart(2, '0')}` });
    const v = db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ?').pluck().get(p.id) as number;
    const hits: Hit[] = i % 4 === 0 ? [{ field: 'body', start: 2, end: 6, text: body.slice(2, 6), rule: 'bench.rule', category: i % 8 === 0 ? 'political' : 'ads', gate: i % 8 === 0 ? 'political' : 'legal', severity: 'medium', action: 'review' }] : [];
    store.applyMachineReview(v, { verdict: hits.length ? 'review' : 'pass', categories: hits.map((h) => h.category), hits, classifier: { label: 'clean', score: 0.98 }, rulesVersion: 'bench', modelVersion: null });
  }
  const app = createApp({ store });
  const headers = { cookie: `lastgate_token=${reviewerToken}` };
  const time = async (path: string) => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await app.request(path, { headers });
      const html = await res.text();
      samples.push(performance.now() - t0);
      if (res.status !== 200 || html.length < 1000) throw new Error(`${path}: ${res.status}`);
    }
    return samples.sort((a, b) => a - b);
  };
  const queue = await time('/ui/queue');
  const firstTask = db.$client.prepare('SELECT id FROM review_tasks ORDER BY risk_score DESC, id LIMIT 1').pluck().get() as number;
  const item = await time(`/ui/tasks/${firstTask}`);
  const api = await (async () => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await app.request('/api/review/queue?limit=500', { headers: { authorization: `Bearer ${reviewerToken}` } });
      await res.json();
      samples.push(performance.now() - t0);
    }
    return samples.sort((a, b) => a - b);
  })();
  const row = (name: string, s: number[]) => `| ${name} | ${percentile(s, 50).toFixed(1)} ms | ${percentile(s, 99).toFixed(1)} ms |`;
  const table = ['| page (500 pending items) | p50 | p99 |', '|---|---:|---:|', row('`GET /ui/queue` (HTML, counts + 200 rows)', queue), row('`GET /ui/tasks/:id` (HTML, item with findings)', item), row('`GET /api/review/queue?limit=500` (JSON)', api)].join('\n');
  writeSection(
    'Reviewer queue page',
    `Machine: ${machineLine()}. Command: \`npm run bench\` (this part alone: \`node bin/run-ts.mjs bench/queue-page.ts\`).\n` +
      `${PENDING} pending review tasks on a SQLite file, ${RUNS} requests each through the Hono app in process (server time, no network). Target: under 200 ms.\n\n${table}`,
  );
  console.log(table);
  db.$client.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runQueuePageBench();
}
