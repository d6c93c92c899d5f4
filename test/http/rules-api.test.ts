/**
 * Live rules through the compliance API and the pack files, on a real server
 * running the real pipeline: changes take effect without a restart, every
 * review records the rules version, bad rules are refused with the field named,
 * history says who changed what, and a dry run shows which published posts a
 * rule would hit before it is enabled.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { defaultRulesDir } from '../../src/rules/engine.js';
import { tempDir } from '../helpers/db.js';
import { client, waitFor } from '../helpers/http.js';

let app: Running;
let base: string;
let rulesDir: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  rulesDir = tempDir('lastgate-rules-');
  cpSync(defaultRulesDir(), rulesDir, { recursive: true });
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1, classifier: false, rulesDir }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  tokens.editor = app.store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token;
  tokens.reviewer = app.store.addUser({ name: '审核员', role: 'reviewer' }).token;
  tokens.compliance = app.store.addUser({ name: '合规', role: 'compliance' }).token;
}, 60_000);
afterAll(async () => app?.close());

const as = (who: string) => client(base, tokens[who]);

async function review(body: string) {
  const r = await as('editor').post('/api/posts', { account: '人社官微', body });
  expect(r.status).toBe(201);
  return waitFor(async () => {
    const g = await as('editor').get(`/api/posts/${r.body.id}`);
    return g.body.machineReview ? g.body : null;
  }, 30_000, 'machine review');
}

async function publish(body: string): Promise<string> {
  const post = await review(body);
  const task = (await as('reviewer').get(`/api/review/tasks?postId=${post.id}`)).body.tasks[0];
  if (task.requiredApprovals > 1) throw new Error('publish() wants a low-risk post');
  expect((await as('reviewer').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).status).toBe(200);
  expect((await as('editor').post(`/api/posts/${post.id}/publish`, { url: 'https://mp.weixin.qq.com/s/x' })).status).toBe(200);
  return post.id;
}

const newRule = {
  id: 'wording.test-slogan',
  category: 'wording',
  severity: 'low',
  action: 'review',
  message: '请使用规范口号',
  suggestion: '就业优先',
  terms: ['稳岗扩岗大礼包'],
};

describe('rules through the compliance API', () => {
  it('creates a rule that the next review uses, with a new rules version, and re-checks the archive', async () => {
    const published = await publish('本市推出稳岗扩岗大礼包，惠及企业。');
    const before = await review('再次介绍稳岗扩岗大礼包的内容。');
    expect(before.machineReview.findings).toEqual([]);

    expect((await as('reviewer').post('/api/rules', newRule)).status).toBe(403);
    const created = await as('compliance').post('/api/rules', newRule);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: newRule.id, source: 'api', enabled: true });
    expect((await as('compliance').post('/api/rules', newRule)).status).toBe(409);

    const after = await review('再次介绍稳岗扩岗大礼包的内容。');
    expect(after.machineReview.findings.map((h: { rule: string }) => h.rule)).toEqual([newRule.id]);
    expect(after.machineReview.rulesVersion).not.toBe(before.machineReview.rulesVersion);

    // The change started a re-scan of the published archive.
    expect(created.body.cleanupRun).toEqual(expect.any(Number));
    await app.cleanup.waitIdle(30_000);
    const tasks = (await as('compliance').get(`/api/cleanup/tasks?postId=${published}`)).body.tasks;
    expect(tasks).toEqual([expect.objectContaining({ kind: 'rescan', recommendedAction: 'update', detail: expect.objectContaining({ rule: newRule.id }) })]);
  });

  it('disables and re-enables a file rule, with history of who changed what', async () => {
    const id = 'political.taiwan-institutions';
    expect((await review('台湾政府宣布了新的措施。')).machineReview.findings.map((h: { rule: string }) => h.rule)).toContain(id);
    const off = await as('compliance').post(`/api/rules/${id}/disable`);
    expect(off.body).toMatchObject({ id, source: 'api', enabled: false, overridesFile: true });
    expect((await review('台湾政府宣布了新的措施。')).machineReview.findings).toEqual([]);
    expect((await as('compliance').post(`/api/rules/${id}/enable`)).body.enabled).toBe(true);
    expect((await review('台湾政府宣布了新的措施。')).machineReview.findings.map((h: { rule: string }) => h.rule)).toContain(id);
    const history = (await as('compliance').get(`/api/rules/${id}/history`)).body.history;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['enable', 'disable']);
    expect(history[1]).toMatchObject({ revision: 1, before: expect.objectContaining({ id, enabled: true }), after: expect.objectContaining({ enabled: false }) });
    const listed = (await as('compliance').get('/api/rules')).body.rules;
    expect(listed.filter((r: { id: string }) => r.id === id)).toHaveLength(1);
    expect(listed.length).toBeGreaterThan(20);
  });

  it('refuses malformed rules and dangerous patterns, naming the field', async () => {
    const missing = await as('compliance').post('/api/rules', { ...newRule, id: 'wording.bad', category: 'nonsense' });
    expect(missing).toMatchObject({ status: 400, body: { field: 'category' } });
    const both = await as('compliance').post('/api/rules', { ...newRule, id: 'wording.bad2', patterns: ['坏'] });
    expect(both.status).toBe(400);
    expect(both.body.field).toBe('terms');
    const redos = await as('compliance').post('/api/rules', { id: 'wording.redos', category: 'wording', severity: 'low', action: 'review', patterns: ['(a+)+$'] });
    expect(redos.status).toBe(400);
    expect(redos.body.field).toBe('patterns.0');
    expect(redos.body.error).toMatch(/patterns\.0/);
  });

  it('dry-runs a rule on the published archive before it is enabled', async () => {
    const hit = await publish('欢迎参加人才引进政策宣讲会。');
    await publish('本周六举办招聘会。');
    const r = await as('compliance').post('/api/rules/dry-run', { rule: { id: 'wording.try', category: 'wording', severity: 'low', action: 'review', terms: ['人才引进政策宣讲会'], enabled: false } });
    expect(r.status).toBe(200);
    expect(r.body.matchedPosts).toBe(1);
    expect(r.body.posts.map((p: { postId: string }) => p.postId)).toEqual([hit]);
    expect(r.body.scanned).toBeGreaterThanOrEqual(3);
    expect((await as('reviewer').post('/api/rules/dry-run', { rule: newRule })).status).toBe(403);
  });
});

describe('rule pack files', () => {
  it('reload without a restart; a malformed pack is refused and the previous rules keep serving', async () => {
    const file = join(rulesDir, 'text.yaml');
    const original = readFileSync(file, 'utf8');
    expect((await review('这家单位的服务真是杠杠滴。')).machineReview.findings).toEqual([]);
    const extra = `${original.trimEnd()}\n\n  - id: wording.file-added\n    category: wording\n    severity: low\n    action: review\n    terms: [杠杠滴]\n`;
    writeFileSync(file, extra);
    await waitFor(async () => (await review('这家单位的服务真是杠杠滴。')).machineReview.findings.some((h: { rule: string }) => h.rule === 'wording.file-added'), 30_000, 'the file change to take effect');
    writeFileSync(file, `${extra}\n  - id: wording.broken\n    category: not-a-category\n`);
    await new Promise((r) => setTimeout(r, 1000));
    const still = await review('这家单位的服务真是杠杠滴。');
    expect(still.machineReview.findings.map((h: { rule: string }) => h.rule)).toContain('wording.file-added');
    writeFileSync(file, original);
  }, 90_000);
});
