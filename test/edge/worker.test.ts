/**
 * The Cloudflare Worker in workerd (Miniflare on 127.0.0.1, offline), bundled
 * by wrangler from wrangler.toml, D1 migrated with `wrangler d1 migrations
 * apply --local`:
 * - the PRODUCT.md HTTP contract, the same function the Node server passes
 *   (test/http/contract.ts);
 * - the lifecycle through the Worker's own handlers: submit → machine review
 *   through the Queue (rules only, flagged) → claim → approve ×2 → publish →
 *   a Cron Trigger that starts and finishes the cleanup scan;
 * - rule findings identical to the Node engine's on the default packs
 *   (segmentation on jieba-wasm, homophones from the build-time pinyin table).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { edgeUserAdd, startWorker, type RunningWorker } from '../helpers/worker.js';
import { client, uiSession, waitFor } from '../helpers/http.js';
import { CONTRACT_USERS, httpContract } from '../http/contract.js';
import { createRuleEngine, defaultRulesDir } from '../../src/rules/engine.js';
import { loadPackDir } from '../../src/rules/pack.js';
import { verifyAudit$ } from '../../src/audit/log.js';
import { programDb, runAsync } from '../../src/store/program.js';

let w: RunningWorker;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  w = await startWorker({
    // An operator's first user, added with the deploy script before the Worker ever ran (it seeds the accounts itself).
    beforeStart: async (dir) => {
      tokens.operator = await edgeUserAdd(dir, ['--name', '运维', '--role', 'compliance']);
    },
  });
  for (const [name, role, accounts] of CONTRACT_USERS) tokens[name] = (await w.store.addUser({ name, role, accounts: [...accounts] })).token;
  tokens.parity = (await w.store.addUser({ name: 'parity', role: 'editor', accounts: ['人社官微'] })).token;
  console.log(`worker: bundle ${w.timings.bundleMs} ms, wrangler d1 migrations apply ${w.timings.migrationsMs} ms, scripts/edge-user.ts ${w.timings.beforeStartMs} ms, workerd ready ${w.timings.readyMs} ms`);
});

afterAll(async () => {
  await w?.close();
});

const count = async (table: string) => {
  const [row] = await w.db.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`));
  return row!.n;
};

httpContract('Cloudflare Worker', () => ({ base: w.base, tokens, count, classifier: { rulesOnly: true, skipped: 'classifier unavailable on Workers' } }));

describe('the Worker: D1, Queue and Cron Trigger', () => {
  const as = (who: string) => client(w.base, tokens[who]);

  it('knows the user scripts/edge-user.ts added to local D1, with an audited user.add', async () => {
    expect(tokens.operator).toMatch(/^lg_/);
    expect(await as('operator').get('/api/me')).toMatchObject({ status: 200, body: { name: '运维', role: 'compliance' } });
    const [first] = await w.db.all<{ action: string; entity_id: string }>(sql`SELECT action, entity_id FROM audit_log ORDER BY seq LIMIT 1`);
    expect(first!.action).toBe('user.add');
  });

  it('has the schema of the drizzle/ migrations, triggers included', async () => {
    const objects = await w.db.all<{ type: string; n: number }>(sql`SELECT type, count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' GROUP BY type ORDER BY type`);
    expect(Object.fromEntries(objects.map((o) => [o.type, o.n]))).toMatchObject({ trigger: 10 });
    const applied = await w.db.all<{ name: string }>(sql`SELECT name FROM d1_migrations ORDER BY id`);
    expect(applied.map((m) => m.name)).toContain('0007_machine_review_classifier_skipped.sql');
  });

  it('submit → machine review through the Queue (rules only, flagged) → claim → approve ×2 → publish → cron-triggered cleanup scan', async () => {
    const submitted = await as('editor').post('/api/posts', { account: '人社官微', title: '就业情况', body: '据报道，台湾政府近日发布了新的就业数据。', date: '2026-11-23' });
    expect(submitted).toMatchObject({ status: 201, body: { status: 'submitted', version: 1 } });
    const id: string = submitted.body.id;

    // The consumer in the same Worker reviews it; nothing else does.
    const post = await waitFor(async () => {
      const g = await as('editor').get(`/api/posts/${id}`);
      return g.body.status !== 'submitted' ? g.body : null;
    }, 20_000, 'machine review through the Queue');
    expect(post).toMatchObject({
      status: 'pending_review',
      machineReview: { verdict: 'review', categories: ['political'], classifier: null, modelVersion: null, rulesOnly: true, classifierSkipped: 'classifier unavailable on Workers' },
    });
    const [outboxRow] = await w.db.all<{ state: string }>(sql`SELECT o.state FROM outbox o JOIN post_versions v ON v.id = o.version_id WHERE v.post_id = ${id}`);
    expect(outboxRow).toEqual({ state: 'done' });
    const politicalRule: string = post.machineReview.findings[0].rule;

    // The reviewer UI shows that no model ran.
    const page = await fetch(`${w.base}/ui/posts/${id}`, { headers: { cookie: await uiSession((p, init) => fetch(w.base + p, init), tokens.reviewerA) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('仅规则审核（未运行模型：classifier unavailable on Workers）');

    // Human review: political → two different reviewers.
    const task = (await as('reviewerA').get(`/api/review/tasks?postId=${id}`)).body.tasks[0];
    expect(task).toMatchObject({ postId: id, state: 'open', requiredApprovals: 2 });
    expect((await as('reviewerA').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
    expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(409);
    expect((await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).body).toMatchObject({ status: 'pending_review', task: { approvals: 1 } });
    expect((await as('editor').post(`/api/posts/${id}/publish`)).status).toBe(409);
    expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
    expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).body).toMatchObject({ status: 'approved', task: { state: 'done', approvals: 2 } });
    expect((await as('reviewerA').post(`/api/posts/${id}/publish`)).status).toBe(403);
    expect(await as('editor').post(`/api/posts/${id}/publish`, { url: 'https://mp.weixin.qq.com/s/edge' })).toMatchObject({ status: 200, body: { status: 'published' } });

    // The Cron Trigger: the Ticker starts the day's cleanup scan, and the same invocation re-scans it with the shared processor.
    const runsBefore = (await as('compliance').get('/api/cleanup/runs')).body.runs.length;
    await w.scheduled(new Date('2026-11-24T01:00:00Z'));
    const run = await waitFor(async () => {
      const runs = (await as('compliance').get('/api/cleanup/runs')).body.runs;
      return runs.length > runsBefore && runs[0].state === 'done' ? runs[0] : null;
    }, 20_000, 'the cron-triggered cleanup run');
    expect(run).toMatchObject({ trigger: 'schedule', asOf: '2026-11-24', state: 'done', percent: 100 });
    const cleanupTasks = (await as('editor').get(`/api/cleanup/tasks?postId=${id}&kind=rescan`)).body.tasks;
    expect(cleanupTasks.map((t: { detail: { rule: string } }) => t.detail.rule)).toEqual([politicalRule]);
    // Once a day: a second trigger the same day starts nothing.
    await w.scheduled(new Date('2026-11-24T01:15:00Z'));
    expect((await as('compliance').get('/api/cleanup/runs')).body.runs.length).toBe(runsBefore + 1);

    const actions = (await w.db.all<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_id = ${id} ORDER BY seq`)).map((r) => r.action);
    expect(actions).toEqual(['post.submit', 'post.machine_review', 'task.approve', 'task.approve', 'post.publish']);
    // The audit chain the Worker wrote on D1 verifies, as on Node.
    expect(await runAsync(verifyAudit$(programDb(w.db)))).toMatchObject({ ok: true });
  });

  it('finds exactly what the Node rule engine finds on the rule test corpora (segmentation and homophones included)', async () => {
    const node = createRuleEngine(loadPackDir(defaultRulesDir()));
    const corpus = ['evasion.jsonl', 'clean.jsonl'].flatMap((f) =>
      readFileSync(new URL(`../rules/${f}`, import.meta.url), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { text: string; date?: string }),
    );
    expect(corpus.length).toBeGreaterThan(100);
    const date = '2026-06-01';
    const ids: string[] = [];
    for (const c of corpus) {
      const r = await client(w.base, tokens.parity).post('/api/posts', { account: '人社官微', body: c.text, date: c.date ?? date });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    let differing = 0;
    let withFindings = 0;
    for (const [i, id] of ids.entries()) {
      const post = await waitFor(async () => {
        const g = await client(w.base, tokens.parity).get(`/api/posts/${id}`);
        return g.body.status !== 'submitted' ? g.body : null;
      }, 30_000, 'machine review');
      const c = corpus[i]!;
      const expected = node.scan({ id, body: c.text, account: '人社官微', date: c.date ?? date });
      expect(post.machineReview.rulesVersion).toBe(node.version);
      if (JSON.stringify(post.machineReview.findings) !== JSON.stringify(expected)) differing++;
      expect(post.machineReview.findings, c.text).toEqual(expected);
      if (expected.length > 0) withFindings++;
    }
    expect(differing).toBe(0);
    expect(withFindings).toBeGreaterThan(50);
    // Reviews applied while submissions kept coming: every transition is in the audit log, and the chain verifies.
    const [{ n }] = await w.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log a JOIN posts p ON p.id = a.entity_id WHERE a.action = 'post.machine_review' AND p.author_id = (SELECT id FROM users WHERE name = 'parity')`);
    expect(n).toBe(corpus.length);
    expect(await runAsync(verifyAudit$(programDb(w.db)))).toMatchObject({ ok: true });
  });
});
