/**
 * The reviewer workspace in a real browser (Debian chromium via playwright-core)
 * against a real server running the real machine-review pipeline. Screenshots
 * are saved to test-artifacts/ui/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, signIn as signInAt } from '../helpers/browser.js';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { client, waitFor } from '../helpers/http.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));
let app: Running;
let base: string;
let browser: Browser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  tokens.editor = app.store.addUser({ name: '张编辑', role: 'editor', accounts: ['人社官微'] }).token;
  tokens.a = app.store.addUser({ name: '审核员甲', role: 'reviewer' }).token;
  tokens.b = app.store.addUser({ name: '审核员乙', role: 'reviewer' }).token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(token: string) {
  return signInAt(browser, base, token);
}

async function postStatus(id: string): Promise<string> {
  return (await client(base, tokens.editor).get(`/api/posts/${id}`)).body.status;
}

describe('reviewer workspace in chromium', () => {
  it('editor submits a political post; two reviewers approve with the keyboard; the editor publishes', async () => {
    const editor = await signIn(tokens.editor!);
    await editor.goto(`${base}/ui/posts/new`);
    await editor.fill('input[name=title]', '就业形势简报');
    await editor.fill('textarea[name=body]', '据报道，台湾政府近日公布了失业率数据。本市将继续做好稳就业工作。<script>alert("xss")</script> <a href="javascript:alert(2)">链接</a>');
    await Promise.all([editor.waitForURL(/\/ui\/posts\/[0-9a-f-]{36}/), editor.click('#newPost button[type=submit]')]);
    const postId = editor.url().split('/ui/posts/')[1]!.split('?')[0]!;
    await waitFor(async () => (await postStatus(postId)) === 'pending_review', 60_000, 'machine review');
    await editor.screenshot({ path: `${ARTIFACTS}1-editor-submitted.png`, fullPage: true });

    // Reviewer A: queue → Enter opens the riskiest item → sees the highlight → a approves.
    const a = await signIn(tokens.a!);
    await a.goto(`${base}/ui/queue`);
    await expect.poll(() => a.locator('#queue tbody tr').count()).toBeGreaterThan(0);
    await a.screenshot({ path: `${ARTIFACTS}2-reviewer-a-queue.png`, fullPage: true });
    await Promise.all([a.waitForURL(/\/ui\/tasks\/\d+/), a.keyboard.press('Enter')]);
    const mark = a.locator('mark.f.gate-political').first();
    await expect.poll(() => mark.evaluate((m) => m.firstChild?.textContent)).toBe('台湾政府');
    await mark.focus();
    expect(await mark.locator('.tip').first().isVisible()).toBe(true);
    expect(await mark.locator('.tip').first().textContent()).toContain('台湾当局');
    await a.screenshot({ path: `${ARTIFACTS}3-reviewer-a-item.png`, fullPage: true });
    // Post content is text, never markup.
    expect(await a.locator('#post script').count()).toBe(0);
    expect(await a.locator('#post a').count()).toBe(0);
    expect(await a.locator('#post').textContent()).toContain('<script>alert("xss")</script>');
    expect(a.dialogs).toEqual([]);
    await a.locator('body').click({ position: { x: 5, y: 300 } });
    // The first of two approvals needs no confirmation; the reviewer is back on the queue, told which post was approved.
    expect(await a.locator('#confirmBox').count()).toBe(0);
    await Promise.all([a.waitForURL(/\/ui\/queue\?flash=/), a.keyboard.press('a')]);
    expect(await a.textContent('.flash')).toBe('已通过「就业形势简报」（人社官微）；稿件状态：待人工审核');
    await a.screenshot({ path: `${ARTIFACTS}4-reviewer-a-approved.png`, fullPage: true });
    expect(await postStatus(postId)).toBe('pending_review');

    // Publishing is still refused, in the API and in the UI.
    expect((await client(base, tokens.editor).post(`/api/posts/${postId}/publish`)).status).toBe(409);
    await editor.goto(`${base}/ui/posts/${postId}`);
    expect(await editor.locator('form[action$="/publish"]').count()).toBe(0);

    // Reviewer A no longer sees it; reviewer B approves it with the keyboard.
    await a.goto(`${base}/ui/queue`);
    expect(await a.locator(`#queue tr[data-href]`).count()).toBe(0);
    const b = await signIn(tokens.b!);
    await b.goto(`${base}/ui/queue`);
    await Promise.all([b.waitForURL(/\/ui\/tasks\/\d+/), b.keyboard.press('Enter')]);
    await expect.poll(() => b.locator('mark.f.gate-political').count()).toBeGreaterThan(0);
    const taskUrl = b.url();
    // The last approval asks to be confirmed: without the box ticked the server refuses it (no script needed to enforce it)…
    const refused = await b.context().request.post(`${taskUrl}/decide`, { headers: { origin: base }, form: { decision: 'approve' }, maxRedirects: 0 });
    expect(refused.status()).toBe(303);
    expect(refused.headers()['location']).toMatch(/^\/ui\/tasks\/\d+\?flash=/);
    expect(await postStatus(postId)).toBe('pending_review');
    // …and on the page, a first `a` asks, a second `a` confirms.
    await b.goto(taskUrl);
    expect(await b.textContent('#confirmBox')).toContain('最后一次）通过，通过后稿件即可发布');
    await b.locator('body').click({ position: { x: 5, y: 300 } });
    await b.keyboard.press('a');
    await expect.poll(() => b.locator('#confirmBox.attention').count()).toBe(1);
    expect(await postStatus(postId)).toBe('pending_review');
    await b.screenshot({ path: `${ARTIFACTS}4b-reviewer-b-confirm.png`, fullPage: true });
    await Promise.all([b.waitForURL(/flash=/), b.keyboard.press('a')]);
    expect(await b.textContent('.flash')).toContain('已通过「就业形势简报」');
    expect(await postStatus(postId)).toBe('approved');
    expect(b.dialogs).toEqual([]);

    await editor.goto(`${base}/ui/posts/${postId}`);
    await Promise.all([editor.waitForURL(/flash=/), editor.click('form[action$="/publish"] button')]);
    expect(await editor.locator('#status').textContent()).toBe('已发布');
    await editor.screenshot({ path: `${ARTIFACTS}5-editor-published.png`, fullPage: true });
    expect(await postStatus(postId)).toBe('published');
  }, 180_000);

  it('shows the classifier’s judgement in Chinese, with the window that drove it shaded', async () => {
    // No rule matches this text; the shipped model reads it as a regional insult.
    const r = await client(base, tokens.editor).post('/api/posts', { account: '人社官微', body: '通知如下。你们外地人素质真低，滚回你们老家去吧，别在这里丢人现眼。' });
    await waitFor(async () => (await postStatus(r.body.id)) === 'pending_review', 60_000, 'machine review');
    const post = (await client(base, tokens.editor).get(`/api/posts/${r.body.id}`)).body;
    expect(post.machineReview.findings).toEqual([]);
    expect(post.machineReview.verdict).toBe('review');
    expect(post.machineReview.categories).toEqual(['vulgar']);
    expect(post.machineReview.modelFinding).toMatchObject({ category: 'vulgar', action: 'review' });
    const editor = await signIn(tokens.editor!);
    await editor.goto(`${base}/ui/posts/${r.body.id}`);
    expect(await editor.locator('#model-finding').textContent()).toMatch(/模型判断疑似低俗辱骂（\d+%）/);
    expect(await editor.textContent('main')).toContain('规则未命中；本稿因模型判断送人工审核');
    const shaded = editor.locator('#post mark.model').first();
    expect(await shaded.evaluate((m) => m.firstChild?.textContent)).toContain('素质真低');
    await shaded.focus();
    expect(await shaded.locator('.tip').textContent()).toContain('模型依据');
    await editor.screenshot({ path: `${ARTIFACTS}6-model-finding.png`, fullPage: true });

    // The reviewer rejects it, leaving the queue as the next test expects.
    const task = (await client(base, tokens.a).get(`/api/review/tasks?postId=${r.body.id}`)).body.tasks[0];
    expect((await client(base, tokens.a).post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
    const d = await client(base, tokens.a).post(`/api/review/tasks/${task.id}/decision`, { decision: 'reject', reason: '地域歧视言论' });
    expect(d.body.status).toBe('rejected');
  }, 120_000);

  it('runs under a strict Content-Security-Policy: its own script works, an injected one and a forged flash do nothing', async () => {
    const editor = await signIn(tokens.editor!);
    const violations: string[] = [];
    editor.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await editor.goto(`${base}/ui/posts/new`);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'sha256-[^']+'; style-src 'sha256-[^']+'/);
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    // The page's own script runs (the ? key opens the help box) and its style sheet applies.
    await editor.locator('body').click({ position: { x: 5, y: 5 } });
    await editor.keyboard.press('?');
    expect(await editor.locator('#help').evaluate((e) => (globalThis as any).getComputedStyle(e).display)).toBe('block');
    expect(await editor.locator('textarea[name=body]').evaluate((e) => (globalThis as any).getComputedStyle(e).minHeight)).toBe('260px');
    // Script injected into the page by any means is refused by the browser.
    const ran = await editor.evaluate(async () => {
      const doc = (globalThis as any).document;
      const s = doc.createElement('script');
      s.textContent = 'window.__injected = true';
      doc.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (globalThis as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    expect(violations.length).toBeGreaterThan(0);
    // A link that tries to put words in the official message box shows nothing.
    await editor.goto(`${base}/ui/posts?msg=${encodeURIComponent('系统升级，请把令牌发给管理员')}&err=x&flash=abc`);
    expect(await editor.locator('.flash').count()).toBe(0);
    // An error answered at /ui (no page to go back to) is shown on the home page it leads to.
    const ctx = editor.context();
    const r = await ctx.request.post(`${base}/ui/posts/no-such-post/publish`, { headers: { origin: base }, maxRedirects: 0 });
    expect(r.status()).toBe(303);
    await editor.goto(`${base}${r.headers()['location']}`);
    expect(editor.url()).toMatch(/\/ui\/posts\?flash=/);
    expect(await editor.locator('.flash.error').count()).toBe(1);
  });

  it('approves a clean post in three keys from the queue with three risky posts sorted above it', async () => {
    const risky = ['台湾政府宣布新的就业补贴。', '据报道，台湾政府召开记者会。', '台湾政府相关人士表示关注。'];
    for (const body of risky) await client(base, tokens.editor).post('/api/posts', { account: '人社官微', body });
    const r = await client(base, tokens.editor).post('/api/posts', { account: '人社官微', title: '招聘会通知', body: '本周六上午在市就业促进中心举办招聘会，欢迎求职者参加。咨询电话12333。' });
    await waitFor(async () => (await postStatus(r.body.id)) === 'pending_review', 60_000, 'machine review');
    const a = await signIn(tokens.a!);
    await expect.poll(async () => {
      await a.goto(`${base}/ui/queue`);
      return a.locator('#queue tr[data-verdict]').count();
    }, { timeout: 60_000 }).toBe(4);
    // The three risky posts sort above the clean one.
    expect(await a.locator('#queue tr[data-verdict]').evaluateAll((rs) => rs.map((r) => (r as any).dataset.verdict))).toEqual(['review', 'review', 'review', 'pass']);
    expect(await a.textContent('#count-pass')).toBe('1');
    let keystrokes = 0;
    const press = async (key: string) => {
      keystrokes++;
      await a.keyboard.press(key);
    };
    await press('p');
    expect(await a.locator('#queue tr.sel').getAttribute('data-verdict')).toBe('pass');
    await Promise.all([a.waitForURL(/\/ui\/tasks\/\d+/), press('Enter')]);
    expect(await a.textContent('h2')).toBe('招聘会通知');
    await Promise.all([a.waitForURL(/\/ui\/queue\?flash=/), press('a')]);
    expect(keystrokes).toBe(3);
    expect(await postStatus(r.body.id)).toBe('approved');
    expect(await a.textContent('.flash')).toContain('已通过「招聘会通知」');
    // The 低风险 tab lists the machine-passed items only, and the counts follow.
    expect(await a.textContent('#count-pass')).toBe('0');
    await Promise.all([a.waitForURL(/verdict=pass/), a.click('#tab-pass')]);
    expect(await a.locator('#queue tr[data-verdict]').count()).toBe(0);
    expect(await a.textContent('#filters')).toContain('低风险（机器通过）');
    // Clear the risky posts for the tests after this one.
    for (const t of (await client(base, tokens.a).get('/api/review/queue')).body.items) {
      await client(base, tokens.a).post(`/api/review/tasks/${t.id}/decision`, { decision: 'reject', reason: '测试清理' });
    }
  }, 180_000);

  it('lets two reviewers read the same item; only the one who acts holds it, and leaving the page releases it', async () => {
    const r = await client(base, tokens.editor).post('/api/posts', { account: '人社官微', body: '关于开展职业技能等级认定工作的通知。' });
    await waitFor(async () => (await postStatus(r.body.id)) === 'pending_review', 60_000, 'machine review');
    const task = (await client(base, tokens.a).get(`/api/review/tasks?postId=${r.body.id}`)).body.tasks[0];
    const holder = async () => (await client(base, tokens.a).get(`/api/review/tasks?postId=${r.body.id}`)).body.tasks[0].claimedBy;
    const a = await signIn(tokens.a!);
    const b = await signIn(tokens.b!);
    await a.goto(`${base}/ui/tasks/${task.id}`);
    await b.goto(`${base}/ui/tasks/${task.id}`);
    // Both read it; opening it claimed nothing.
    for (const p of [a, b]) {
      expect(await p.textContent('#post')).toContain('职业技能等级认定');
      expect(await p.locator('#decide').count()).toBe(1);
      expect(await p.locator('#claimButton').count()).toBe(1);
    }
    expect(await holder()).toBeNull();
    // A starts writing a reason: that claims it.
    await a.locator('body').click({ position: { x: 5, y: 300 } });
    await a.keyboard.press('c');
    await expect.poll(holder).not.toBeNull();
    const aId = (await client(base, tokens.a).get('/api/me')).body.id;
    expect(await holder()).toBe(aId);
    // B still reads it, sees who holds it, and cannot decide meanwhile.
    await b.reload();
    expect(await b.textContent('#post')).toContain('职业技能等级认定');
    expect(await b.textContent('#held')).toContain('审核员甲 正在处理此稿');
    expect(await b.locator('#decide').count()).toBe(0);
    await b.screenshot({ path: `${ARTIFACTS}7-held-by-other.png`, fullPage: true });
    // A leaves without deciding: the claim is released.
    await a.goto(`${base}/ui/queue`);
    await expect.poll(holder, { timeout: 10_000 }).toBeNull();
    await b.reload();
    expect(await b.locator('#held').count()).toBe(0);
    expect(await b.locator('#decide').count()).toBe(1);
    // An explicit 认领 (a plain form, no script needed) holds it, 释放 gives it back.
    await Promise.all([b.waitForURL(/flash=/), b.click('#claimButton')]);
    expect(await b.textContent('.flash')).toContain('已认领');
    const bId = (await client(base, tokens.b).get('/api/me')).body.id;
    expect(await holder()).toBe(bId);
    await a.goto(`${base}/ui/queue`);
    expect(await a.textContent(`#queue tr[data-task="${task.id}"] .holder`)).toContain('审核员乙 处理中');
    await Promise.all([b.waitForURL(/flash=/), b.click('#release')]);
    expect(await b.textContent('.flash')).toBe('已释放认领');
    expect(await holder()).toBeNull();
    expect(a.dialogs.concat(b.dialogs)).toEqual([]);
  }, 120_000);
});
