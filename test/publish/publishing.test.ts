import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, result } from '../helpers/db.js';
import { publishThrough } from '../helpers/publish.js';
import { verifySignature } from '../../src/webhooks/delivery.js';
import type { SqliteStore } from '../../src/service/sqlite.js';
import type { Actor } from '../../src/users/actor.js';

let now = new Date('2026-11-23T12:00:00Z'); // Monday 20:00 in Shanghai
const clock = () => now;

async function approved(store: SqliteStore, editor: Actor, reviewer: Actor, body = '招聘会通知') {
  const p = await store.submitPost(editor, { account: '人社官微', body });
  const v = store.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ?').pluck().get(p.id) as number;
  store.applyMachineReview(v, result());
  const [t] = await store.listTasks(reviewer, { postId: p.id, limit: 1 });
  await store.decide(reviewer, t!.id, { decision: 'approve' });
  return p.id;
}

async function env() {
  const s = freshStore({ now: clock });
  const editor = await s.mk('编辑', 'editor', ['人社官微']);
  const reviewer = await s.mk('审核员', 'reviewer');
  const admin = await s.mk('管理员', 'admin');
  return { ...s, editor, reviewer, admin };
}

let hook: Server;
let hookUrl: string;
const received: Array<{ body: string; ts: string; sig: string; key: string }> = [];
beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ body, ts: String(req.headers['x-lastgate-timestamp']), sig: String(req.headers['x-lastgate-signature']), key: String(req.headers['idempotency-key']) });
      const id = JSON.parse(body).postId;
      // `?slow` answers after 300 ms, long enough for a second publish request to arrive meanwhile.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://mp.weixin.qq.com/s/${id}` })), req.url?.includes('slow') ? 300 : 0);
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/publish`;
});
afterAll(() => hook.close());

describe('publish windows and embargo', () => {
  it('publishes at any time without a window (the default)', async () => {
    const e = await env();
    const id = await approved(e.store, e.editor, e.reviewer);
    expect((await e.store.publish(e.editor, id, { url: 'https://mp.weixin.qq.com/s/1' })).status).toBe('published');
  });

  it('refuses to publish outside the window unless overridden with a reason, and audits the override', async () => {
    const e = await env();
    await e.store.setAccountSettings(e.admin, '人社官微', { windowStart: '08:00', windowEnd: '18:00', windowDays: '12345' });
    const id = await approved(e.store, e.editor, e.reviewer);
    await expect(e.store.publish(e.editor, id, {})).rejects.toMatchObject({ code: 'conflict', field: 'overrideReason' });
    now = new Date('2026-11-24T02:00:00Z'); // Tuesday 10:00
    const ok = await approved(e.store, e.editor, e.reviewer, '另一篇');
    expect((await e.store.publish(e.editor, ok, {})).status).toBe('published');
    now = new Date('2026-11-23T12:00:00Z');
    expect((await e.store.publish(e.editor, id, { overrideReason: '突发事件需即时发布' })).status).toBe('published');
    const audit = e.db.$client.prepare(`SELECT data FROM audit_log WHERE action = 'post.publish' AND entity_id = ?`).pluck().get(id) as string;
    expect(JSON.parse(audit)).toMatchObject({ override: '突发事件需即时发布' });
    await expect(e.store.setAccountSettings(e.editor, '人社官微', {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(e.store.setAccountSettings(e.admin, '人社官微', { windowStart: '25:00', windowEnd: '26:00' })).rejects.toMatchObject({ field: 'windowStart' });
  });

  it('holds a scheduled post until its embargo', async () => {
    const e = await env();
    const id = await approved(e.store, e.editor, e.reviewer);
    await e.store.schedulePost(e.editor, id, { publishAt: '2026-11-25T02:00:00Z', embargoUntil: '2026-11-25T01:00:00Z' });
    await expect(e.store.publish(e.editor, id, {})).rejects.toThrow(/embargoed/);
    now = new Date('2026-11-25T01:30:00Z');
    expect((await e.store.publish(e.editor, id, {})).status).toBe('published');
    now = new Date('2026-11-23T12:00:00Z');
  });
});

describe('publishers and the scheduled publishing', () => {
  it('hands the exact version to a webhook publisher, records its URL, and publishes due schedules', async () => {
    const e = await env();
    await e.store.setAccountSettings(e.admin, '人社官微', { publisher: 'webhook', publisherUrl: hookUrl });
    const secret = e.db.$client.prepare('SELECT publisher_secret FROM account_settings').pluck().get() as string;
    const id = await approved(e.store, e.editor, e.reviewer, '定时发布的稿件正文');
    await e.store.schedulePost(e.editor, id, { publishAt: '2026-11-23T13:00:00Z' });
    expect((await e.store.publishDue()).published).toEqual([]);
    now = new Date('2026-11-23T13:00:01Z');
    expect((await e.store.publishDue()).published).toEqual([id]);
    const post = await e.store.getPost(e.editor, id);
    expect(post.status).toBe('published');
    expect(post.publications[0]).toMatchObject({ version: 1, url: `https://mp.weixin.qq.com/s/${id}` });
    const last = received.at(-1)!;
    expect(JSON.parse(last.body)).toMatchObject({ postId: id, version: 1, body: '定时发布的稿件正文', idempotencyKey: `lastgate:${id}:v1` });
    expect(last.key).toBe(`lastgate:${id}:v1`);
    expect(verifySignature(secret, last.ts, last.body, last.sig)).toBe(true);
    now = new Date('2026-11-23T12:00:00Z');
  });

  it('publishes a post once when two requests race: the second is refused while the publisher call is under way', async () => {
    const e = await env();
    await e.store.setAccountSettings(e.admin, '人社官微', { publisher: 'webhook', publisherUrl: `${hookUrl}?slow` });
    const id = await approved(e.store, e.editor, e.reviewer, '同时点了两次发布');
    const before = received.filter((r) => JSON.parse(r.body).postId === id).length;
    const [a, b] = await Promise.allSettled([e.store.publish(e.editor, id, {}), e.store.publish(e.editor, id, {})]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'published' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
    expect(received.filter((r) => JSON.parse(r.body).postId === id).length - before).toBe(1);
    expect((await e.store.getPost(e.editor, id)).publications).toHaveLength(1);
  });

  it('leaves the post approved when the publisher fails', async () => {
    const e = await env();
    await e.store.setAccountSettings(e.admin, '人社官微', { publisher: 'webhook', publisherUrl: 'http://127.0.0.1:9/unreachable' });
    const id = await approved(e.store, e.editor, e.reviewer);
    await expect(e.store.publish(e.editor, id, {})).rejects.toMatchObject({ code: 'upstream' });
    const post = await e.store.getPost(e.editor, id);
    expect(post.status).toBe('approved');
    expect(post.publications).toEqual([]);
  });

  it('reports due posts of manual-publisher accounts instead of publishing them', async () => {
    const e = await env();
    const id = await approved(e.store, e.editor, e.reviewer);
    await e.store.schedulePost(e.editor, id, { publishAt: '2026-11-23T11:00:00Z' });
    expect(await e.store.publishDue()).toMatchObject({ published: [], due: [id] });
  });
});

describe('account freshness', () => {
  it('warns at 10 days, fails at 14, and alerts once per level', async () => {
    const e = await env();
    now = new Date('2026-11-01T02:00:00Z');
    await publishThrough(e.store, e.editor, e.reviewer, { account: '人社官微', body: '十一月一日的稿件' });
    const level = (day: string) => e.store.accountFreshness(day).find((f) => f.account === '人社官微')!;
    expect(level('2026-11-10')).toMatchObject({ days: 9, level: 'ok' });
    expect(level('2026-11-11')).toMatchObject({ days: 10, level: 'warning' });
    expect(level('2026-11-15')).toMatchObject({ days: 14, level: 'failing' });
    expect(e.store.raiseFreshnessAlerts('2026-11-11').map((f) => f.level)).toEqual(['warning']);
    expect(e.store.raiseFreshnessAlerts('2026-11-12')).toEqual([]);
    expect(e.store.raiseFreshnessAlerts('2026-11-15').map((f) => f.level)).toEqual(['failing']);
    expect(e.store.raiseFreshnessAlerts('2026-11-16')).toEqual([]);
    now = new Date('2026-11-23T12:00:00Z');
  });
});
