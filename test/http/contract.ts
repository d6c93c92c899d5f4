/**
 * The HTTP contract of PRODUCT.md as one function of a running server, so the
 * same assertions run against the Node server (test/http/contract.test.ts)
 * and the Cloudflare Worker in workerd (test/edge/worker.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { client, waitFor } from '../helpers/http.js';

export interface ContractTarget {
  base: string;
  /** Tokens of: editor (人社官微), editor2 (上海社保), reviewerA, reviewerB, compliance. */
  tokens: Record<string, string>;
  /** Rows in a table of the server's database. */
  count(table: string): Promise<number>;
  /** Whether this server's machine review runs without a classifier (the Worker), and why. */
  classifier: { rulesOnly: false } | { rulesOnly: true; skipped: string };
}

/** The users the contract needs, as [name, role, accounts]. */
export const CONTRACT_USERS = [
  ['editor', 'editor', ['人社官微']],
  ['editor2', 'editor', ['上海社保']],
  ['reviewerA', 'reviewer', []],
  ['reviewerB', 'reviewer', []],
  ['compliance', 'compliance', []],
] as const;

/** Registers the contract's tests; `target` is read when they run (after beforeAll). */
export function httpContract(name: string, target: () => ContractTarget): void {
  const t = target;
  const as = (who: string) => client(t().base, t().tokens[who]);

  async function submitAndWait(body: Record<string, unknown>) {
    const r = await as('editor').post('/api/posts', { account: '人社官微', ...body });
    expect(r.status).toBe(201);
    const post = await waitFor(async () => {
      const g = await as('editor').get(`/api/posts/${r.body.id}`);
      return g.body.status !== 'submitted' ? g.body : null;
    }, 60_000, 'machine review');
    return post;
  }

  async function taskOf(postId: string) {
    const r = await as('reviewerA').get(`/api/review/tasks?postId=${postId}`);
    expect(r.status).toBe(200);
    return r.body.tasks[0];
  }

  describe(`HTTP contract (${name})`, () => {
    it('submit → machine review → claim → approve → publish', async () => {
      const post = await submitAndWait({ title: '2026年上海市职业技能竞赛报名通知', body: '各有关单位：现将有关事项通知如下。咨询电话：12333。', date: '2026-11-23' });
      expect(post.status).toBe('pending_review');
      expect(post.machineReview).toMatchObject({ verdict: 'pass' });
      expect(post.machineReview.rulesVersion).toMatch(/\S/);
      const c = t().classifier;
      expect(post.machineReview).toMatchObject(
        c.rulesOnly ? { rulesOnly: true, classifier: null, modelVersion: null, classifierSkipped: c.skipped } : { rulesOnly: false, classifier: { label: expect.any(String) }, classifierSkipped: null },
      );

      const pub409 = await as('editor').post(`/api/posts/${post.id}/publish`);
      expect(pub409.status).toBe(409);

      const task = await taskOf(post.id);
      expect(task).toMatchObject({ postId: post.id, state: 'open', requiredApprovals: 1 });
      expect((await as('editor').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).status).toBe(403);
      expect((await as('reviewerA').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
      expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(409);
      const d = await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' });
      expect(d.status).toBe(200);
      expect(d.body.status).toBe('approved');

      expect((await as('reviewerA').post(`/api/posts/${post.id}/publish`)).status).toBe(403);
      const pub = await as('editor').post(`/api/posts/${post.id}/publish`);
      expect(pub.status).toBe(200);
      const after = await as('editor').get(`/api/posts/${post.id}`);
      expect(after.body.status).toBe('published');
      expect(after.body.reviews).toHaveLength(1);
    });

    it('a post with 台湾政府 needs two different reviewers before it can publish', async () => {
      const post = await submitAndWait({ body: '据报道，台湾政府近日发布了新的就业数据。' });
      expect(post.machineReview.categories).toContain('political');
      const hit = post.machineReview.findings.find((h: { category: string }) => h.category === 'political');
      expect(post.body.slice(hit.start, hit.end)).toBe(hit.text);
      const task = await taskOf(post.id);
      expect(task.requiredApprovals).toBe(2);
      await as('reviewerA').post(`/api/review/tasks/${task.id}/claim`);
      expect((await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).body.status).toBe('pending_review');
      expect((await as('editor').post(`/api/posts/${post.id}/publish`)).status).toBe(409);
      expect((await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).status).toBe(409);
      expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
      expect((await as('reviewerB').post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).body.status).toBe('approved');
      expect((await as('editor').post(`/api/posts/${post.id}/publish`)).status).toBe(200);
    });

    it('requires a reason for reject, request_changes and escalate', async () => {
      const post = await submitAndWait({ body: '本周六举办招聘会，欢迎参加。' });
      const task = await taskOf(post.id);
      const r = await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'reject' });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('reason');
      const ok = await as('reviewerA').post(`/api/review/tasks/${task.id}/decision`, { decision: 'request_changes', reason: '请补充活动地点' });
      expect(ok.body.status).toBe('changes_requested');
    });

    it('authenticates every API call and checks roles', async () => {
      expect((await client(t().base).get('/api/review/tasks')).status).toBe(401);
      expect((await client(t().base, 'lg_not-a-token').get('/api/review/tasks')).status).toBe(401);
      expect((await as('reviewerA').post('/api/posts', { account: '人社官微', body: '正文' })).status).toBe(403);
      expect((await as('editor2').post('/api/posts', { account: '人社官微', body: '正文' })).status).toBe(403);
    });

    it('refuses a caller who may not act with 403 before looking at the body', async () => {
      // Invalid bodies from the wrong role: 403, not a 400 that describes a valid request.
      expect(await as('reviewerA').post('/api/posts', { bogus: true })).toMatchObject({ status: 403, body: { error: 'role reviewer may not submit posts' } });
      expect((await as('editor').post('/api/review/tasks/1/decision', { decision: 'maybe' })).status).toBe(403);
      expect((await as('editor').post('/api/posts/x/override', {})).status).toBe(403);
      expect((await as('reviewerA').post('/api/reason-templates', { decision: 'nope' })).status).toBe(403);
      // The right role with the same invalid body: 400 naming the field.
      expect(await as('compliance').post('/api/reason-templates', { decision: 'nope', text: '理由' })).toMatchObject({ status: 400, body: { field: 'decision' } });
      expect(await as('reviewerA').post('/api/review/tasks/1/decision', { decision: 'maybe' })).toMatchObject({ status: 400, body: { field: 'decision' } });
    });

    it('answers bad input with 400/413 naming the field, and writes nothing', async () => {
      const counts = async () => ({ posts: await t().count('posts'), versions: await t().count('post_versions'), outbox: await t().count('outbox'), audit: await t().count('audit_log') });
      const before = await counts();
      const ed = as('editor');
      const malformed = await ed.raw('/api/posts', '{"account": "人社官微", "body": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatch(/JSON/i);
      const missing = await ed.post('/api/posts', { account: '人社官微' });
      expect(missing).toMatchObject({ status: 400, body: { field: 'body' } });
      const unknownAccount = await ed.post('/api/posts', { account: '不存在的账号', body: '正文' });
      expect(unknownAccount).toMatchObject({ status: 400, body: { field: 'account' } });
      const unknownField = await ed.post('/api/posts', { account: '人社官微', body: '正文', bogus: 1 });
      expect(unknownField.status).toBe(400);
      expect(unknownField.body.error).toMatch(/bogus/);
      const huge = await ed.post('/api/posts', { account: '人社官微', body: '字'.repeat(50_001) });
      expect(huge.status).toBe(413);
      expect(huge.body.error).toMatch(/50000/);
      const surrogate = await ed.raw('/api/posts', '{"account":"人社官微","body":"坏\\ud800字"}');
      expect(surrogate).toMatchObject({ status: 400, body: { field: 'body' } });
      const badDate = await ed.post('/api/posts', { account: '人社官微', body: '正文', date: '2026-02-30' });
      expect(badDate).toMatchObject({ status: 400, body: { field: 'date' } });
      expect(await ed.post('/api/posts', { account: '人社官微', body: ' \n\t　 ' })).toMatchObject({ status: 400, body: { field: 'body' } });
      const wrongType = await ed.post('/api/posts', { account: '人社官微', body: 42 });
      expect(wrongType).toMatchObject({ status: 400, body: { field: 'body' } });
      const badTask = await as('reviewerA').post('/api/review/tasks/abc/claim');
      expect(badTask).toMatchObject({ status: 400, body: { field: 'id' } });
      for (const id of ['0x1', '1e0', '1.0', '+1', '01', '0']) {
        expect([id, (await as('reviewerA').post(`/api/review/tasks/${id}/claim`)).status]).toEqual([id, 400]);
      }
      expect(await as('editor').get('/api/review/tasks?limit=0x10')).toMatchObject({ status: 400, body: { field: 'limit' } });
      const badDecision = await as('reviewerA').post('/api/review/tasks/1/decision', { decision: 'maybe' });
      expect(badDecision).toMatchObject({ status: 400, body: { field: 'decision' } });
      expect(await counts()).toEqual(before);
    });

    it('retries a submission safely with Idempotency-Key: one post, the first answer again; another request 409; a bad key 400', async () => {
      const send = async (path: string, body: unknown, key: string, who = 'editor') => {
        const res = await fetch(t().base + path, { method: 'POST', headers: { authorization: `Bearer ${t().tokens[who]}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
        return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as any };
      };
      const key = `retry-${Date.now()}-${Math.random()}`;
      const post = { account: '人社官微', title: '重试的通知', body: '本周六举办招聘会，咨询电话12333。' };
      const postsBefore = await t().count('posts');
      const first = await send('/api/posts', post, key);
      expect(first).toMatchObject({ status: 201, replayed: null });
      const again = await send('/api/posts', post, key);
      expect(again).toMatchObject({ status: 201, replayed: 'true', body: first.body });
      expect(await t().count('posts')).toBe(postsBefore + 1);
      // The same key for another request is refused, naming the header; another user's key space is their own.
      expect(await send('/api/posts', { ...post, body: '另一篇正文。' }, key)).toMatchObject({ status: 409, body: { field: 'Idempotency-Key' } });
      expect((await send('/api/posts', { account: '上海社保', body: '另一位编辑的稿件。' }, key, 'editor2')).status).toBe(201);
      expect(await send('/api/posts', post, 'bad key with spaces')).toMatchObject({ status: 400, body: { field: 'Idempotency-Key' } });
      // A new version: retried once, stored once.
      const versionsBefore = await t().count('post_versions');
      const v = await send(`/api/posts/${first.body.id}/versions`, { title: '重试的通知（更正）', body: '本周日举办招聘会，咨询电话12333。' }, `${key}-v2`);
      expect(v.status).toBe(201);
      expect(await send(`/api/posts/${first.body.id}/versions`, { title: '重试的通知（更正）', body: '本周日举办招聘会，咨询电话12333。' }, `${key}-v2`)).toMatchObject({ status: 201, replayed: 'true', body: v.body });
      expect(await t().count('post_versions')).toBe(versionsBefore + 1);
    });

    it('accepts exactly 50,000 characters and stores HTML verbatim', async () => {
      const html = '<script>alert(1)</script><a href="javascript:alert(2)">点此</a>';
      const r = await as('editor').post('/api/posts', { account: '人社官微', title: html, body: html + '这'.repeat(50_000 - html.length) });
      expect(r.status).toBe(201);
      const g = await as('editor').get(`/api/posts/${r.body.id}`);
      expect(g.body.title).toBe(html);
      expect(g.body.body.startsWith(html)).toBe(true);
      expect(g.body.body.length).toBe(50_000);
    });

    it('describes itself at /openapi.json', async () => {
      const r = await client(t().base).get('/openapi.json');
      expect(r.status).toBe(200);
      expect(Object.keys(r.body.paths)).toEqual(
        expect.arrayContaining(['/api/posts', '/api/posts/{id}', '/api/review/tasks', '/api/review/tasks/{id}/claim', '/api/review/tasks/{id}/decision', '/api/posts/{id}/publish']),
      );
    });
  });
}
