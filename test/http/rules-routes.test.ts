/**
 * The rules API in process (createApp with the strict response check on, over
 * SQLite and the default rule packs): every answer, errors included, must
 * match /openapi.json, and each route refuses what it should with the status
 * PRODUCT.md gives: 400 for a malformed request, 401 without a token, 403 for
 * a role that may not, 404 for an unknown rule or a server without rule
 * management, 409 for an id in use. The live pipeline (a rule change taking
 * effect, the archive re-check) is test/http/rules-api.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { RuleAdmin } from '../../src/rules/admin.js';
import { defaultRulesDir } from '../../src/rules/engine.js';
import { RuleSchema } from '../../src/rules/pack.js';
import type { Hit } from '../../src/review/types.js';
import { freshStore, result } from '../helpers/db.js';
import { publishThrough } from '../helpers/publish.js';

type Env = ReturnType<typeof freshStore>;
let env: Env;
let app: ReturnType<typeof createApp>;
let bare: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};

const newRule = { id: 'wording.routes-test', category: 'wording', severity: 'low', action: 'review', message: '请使用规范表述', terms: ['宣讲大礼包'] };
const hit = (over: Partial<Hit> = {}): Hit => ({ field: 'body', start: 0, end: 2, text: '最好', rule: 'ads.absolute', category: 'ads', gate: 'legal', severity: 'low', action: 'review', ...over });

beforeAll(async () => {
  env = freshStore();
  app = createApp({ store: env.store, rules: new RuleAdmin(env.db, defaultRulesDir()), checkResponses: true });
  bare = createApp({ store: env.store, checkResponses: true });
  for (const [name, role, accounts] of [
    ['editor', 'editor', ['人社官微']],
    ['reviewer', 'reviewer', []],
    ['compliance', 'compliance', []],
  ] as const) {
    tokens[name] = env.store.addUser({ name, role, accounts: [...accounts] }).token;
  }
  const editor = (await env.store.authenticate(tokens.editor!))!;
  const reviewer = (await env.store.authenticate(tokens.reviewer!))!;
  // One published post a dry run can hit, and a machine review with a finding the statistics count.
  await publishThrough(env.store, editor, reviewer, { account: '人社官微', title: '宣讲会', body: '欢迎参加宣讲大礼包发放活动。' });
  await publishThrough(env.store, editor, reviewer, { account: '人社官微', body: '宣讲大礼包今日发放。' });
  await publishThrough(env.store, editor, reviewer, { account: '人社官微', body: '本周六举办招聘会。' });
  const p = await env.store.submitPost(editor, { account: '人社官微', body: '最好的服务' });
  const versionId = env.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ?').pluck().get(p.id) as number;
  env.store.applyMachineReview(versionId, result({ verdict: 'review', categories: ['ads'], hits: [hit()] }));
  await env.store.markFinding(reviewer, p.id, 0, 'false_positive');
});

async function call(target: ReturnType<typeof createApp>, who: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await target.request(path, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as any };
}
const as = (who: string | null, method: string, path: string, body?: unknown) => call(app, who, method, path, body);

/** Every rules operation, with a body it would accept. */
const OPERATIONS: Array<[string, string, unknown?]> = [
  ['GET', '/api/rules/stats'],
  ['GET', '/api/rules'],
  ['GET', '/api/rules/political.taiwan-institutions'],
  ['POST', '/api/rules', { ...newRule, id: 'wording.never-created' }],
  ['PUT', '/api/rules/political.taiwan-institutions', { category: 'political', severity: 'high', action: 'review', terms: ['台湾政府'] }],
  ['POST', '/api/rules/political.taiwan-institutions/disable'],
  ['POST', '/api/rules/political.taiwan-institutions/enable'],
  ['GET', '/api/rules/political.taiwan-institutions/history'],
  ['POST', '/api/rules/dry-run', { rule: newRule }],
];

describe('rules API responses match /openapi.json', () => {
  it('documents every field of a rule spec', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    expect(Object.keys(doc.components.schemas.RuleSpec.properties).sort()).toEqual(Object.keys(RuleSchema.shape).sort());
    for (const [method, path] of OPERATIONS) {
      const op = doc.paths[path.replace('political.taiwan-institutions', '{ruleId}')][method.toLowerCase()];
      expect(op.summary, `${method} ${path}`).toMatch(/\S/);
      expect(op.tags).toEqual(['rules']);
    }
  });

  it('lists and reads every file rule, and reads statistics', async () => {
    const list = await as('compliance', 'GET', '/api/rules');
    expect(list.status).toBe(200);
    expect(list.body.rules.length).toBeGreaterThan(20);
    expect(list.body.rules[0]).toMatchObject({ source: 'file', revision: null, overridesFile: false, updatedAt: null, spec: { enabled: expect.any(Boolean) } });
    const one = await as('compliance', 'GET', `/api/rules/${list.body.rules[0].id}`);
    expect(one).toMatchObject({ status: 200, body: list.body.rules[0] });
    const stats = await as('compliance', 'GET', '/api/rules/stats');
    expect(stats).toMatchObject({ status: 200, body: { rules: [{ rule: 'ads.absolute', hits: 1, posts: 1, falsePositives: 1, confirmed: 0, marks: 1, falsePositiveRate: null }] } });
  });

  it('creates, replaces, disables and enables a rule, with history; without cleanup runs cleanupRun is null', async () => {
    const created = await as('compliance', 'POST', '/api/rules', newRule);
    expect(created).toMatchObject({ status: 201, body: { id: newRule.id, source: 'api', origin: 'api', revision: 1, overridesFile: false, cleanupRun: null, spec: { ...newRule, enabled: true } } });
    const replaced = await as('compliance', 'PUT', `/api/rules/${newRule.id}`, { ...newRule, id: undefined, severity: 'medium' });
    expect(replaced).toMatchObject({ status: 200, body: { revision: 2, spec: { severity: 'medium' } } });
    expect(await as('compliance', 'POST', `/api/rules/${newRule.id}/disable`)).toMatchObject({ status: 200, body: { enabled: false, revision: 3 } });
    expect(await as('compliance', 'POST', `/api/rules/${newRule.id}/enable`)).toMatchObject({ status: 200, body: { enabled: true, revision: 4 } });
    const history = await as('compliance', 'GET', `/api/rules/${newRule.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.history.map((h: { action: string }) => h.action)).toEqual(['enable', 'disable', 'update', 'create']);
    expect(history.body.history[3]).toMatchObject({ ruleId: newRule.id, revision: 1, before: null, after: { id: newRule.id }, actorId: expect.any(Number) });
  });

  it('dry-runs rules on the published archive, listing at most `limit` posts', async () => {
    const r = await as('compliance', 'POST', '/api/rules/dry-run', { rule: newRule, asOf: '2026-11-23' });
    expect(r).toMatchObject({ status: 200, body: { scanned: 3, matchedPosts: 2, hits: 2, truncated: false } });
    expect(r.body.posts).toEqual([
      { postId: expect.any(String), account: '人社官微', title: '宣讲会', hits: [expect.objectContaining({ rule: newRule.id, field: 'body', text: '宣讲大礼包' })] },
      { postId: expect.any(String), account: '人社官微', title: null, hits: [expect.objectContaining({ rule: newRule.id })] },
    ]);
    const one = await as('compliance', 'POST', '/api/rules/dry-run', { rules: [newRule], limit: 1 });
    expect(one).toMatchObject({ status: 200, body: { matchedPosts: 2, truncated: true } });
    expect(one.body.posts).toHaveLength(1);
  });
});

describe('rules API refusals', () => {
  it('401 without a token or with a bad one, on every operation', async () => {
    for (const [method, path, body] of OPERATIONS) {
      expect(await as(null, method, path, body), `${method} ${path}`).toMatchObject({ status: 401, body: { error: expect.stringMatching(/bearer token/) } });
    }
    tokens.bogus = 'not-a-token';
    expect((await as('bogus', 'GET', '/api/rules')).status).toBe(401);
  });

  it('403 for editors and reviewers on every operation, before the body is read', async () => {
    for (const who of ['editor', 'reviewer']) {
      for (const [method, path, body] of OPERATIONS) {
        const r = await as(who, method, path, body);
        expect(r.status, `${who} ${method} ${path}`).toBe(403);
        expect(r.body.error).toMatch(new RegExp(`^role ${who} may not`));
      }
      expect((await as(who, 'POST', '/api/rules', { nonsense: true })).status).toBe(403);
    }
  });

  it('404 for an unknown rule', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/rules/wording.no-such-rule'],
      ['PUT', '/api/rules/wording.no-such-rule', { category: 'wording', severity: 'low', action: 'review', terms: ['无此规则'] }],
      ['POST', '/api/rules/wording.no-such-rule/disable'],
      ['POST', '/api/rules/wording.no-such-rule/enable'],
    ] as Array<[string, string, unknown?]>) {
      expect(await as('compliance', method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { error: 'no rule wording.no-such-rule' } });
    }
  });

  it('404 on every rule management operation of a server without rule management; statistics still answer', async () => {
    for (const [method, path, body] of OPERATIONS.slice(1)) {
      expect(await call(bare, 'compliance', method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { error: 'rule management is not available on this server' } });
    }
    expect((await call(bare, 'compliance', 'GET', '/api/rules/stats')).status).toBe(200);
  });

  it('409 for an id in use, file rule or API rule', async () => {
    const file = await as('compliance', 'POST', '/api/rules', { ...newRule, id: 'political.taiwan-institutions', category: 'political' });
    expect(file).toMatchObject({ status: 409, body: { field: 'id', error: expect.stringContaining('PUT /api/rules/political.taiwan-institutions') } });
    const api = { ...newRule, id: 'wording.routes-409' };
    expect((await as('compliance', 'POST', '/api/rules', api)).status).toBe(201);
    expect(await as('compliance', 'POST', '/api/rules', api)).toMatchObject({ status: 409, body: { field: 'id' } });
  });

  it('400 for malformed requests, naming the field', async () => {
    expect(await as('compliance', 'POST', '/api/rules', '{"id": ')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/malformed JSON/) } });
    expect(await as('compliance', 'POST', '/api/rules', { category: 'wording' })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await as('compliance', 'POST', '/api/rules', { ...newRule, id: 'Bad Id' })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await as('compliance', 'PUT', '/api/rules/political.taiwan-institutions', { category: 'political', severity: 'extreme', action: 'review', terms: ['x'] })).toMatchObject({ status: 400, body: { field: 'severity' } });
    expect(await as('compliance', 'PUT', '/api/rules/political.taiwan-institutions', { category: 'political', severity: 'high', action: 'review' })).toMatchObject({ status: 400, body: { field: 'terms' } });
    expect(await as('compliance', 'PUT', '/api/rules/political.taiwan-institutions', [1, 2])).toMatchObject({ status: 400 });
    expect(await as('compliance', 'GET', `/api/rules/${'a'.repeat(201)}`)).toMatchObject({ status: 400, body: { field: 'ruleId' } });
    expect(await as('compliance', 'POST', `/api/rules/${'a'.repeat(201)}/disable`)).toMatchObject({ status: 400, body: { field: 'ruleId' } });
    expect(await as('compliance', 'GET', `/api/rules/${'a'.repeat(201)}/history`)).toMatchObject({ status: 400, body: { field: 'ruleId' } });
    expect(await as('compliance', 'POST', '/api/rules/dry-run', {})).toMatchObject({ status: 400, body: { field: 'rule' } });
    expect(await as('compliance', 'POST', '/api/rules/dry-run', { rule: { ...newRule, terms: [] } })).toMatchObject({ status: 400, body: { field: 'terms' } });
    expect(await as('compliance', 'POST', '/api/rules/dry-run', { rule: newRule, extra: 1 })).toMatchObject({ status: 400, body: { error: 'unknown field: extra' } });
    expect(await as('compliance', 'POST', '/api/rules/dry-run', { rule: newRule, asOf: '23.11.2026' })).toMatchObject({ status: 400, body: { field: 'asOf' } });
    expect(await as('compliance', 'POST', '/api/rules/dry-run', { rule: newRule, limit: 0 })).toMatchObject({ status: 400, body: { field: 'limit' } });
  });
});
