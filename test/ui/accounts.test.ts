/**
 * The admin's accounts page in a real browser (Debian chromium via
 * playwright-core) against a real server: an admin adds a unit and an account,
 * an editor given that account submits to it, the admin retires it and the
 * editor is no longer offered it while the API refuses new posts to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, signIn as signInAt } from '../helpers/browser.js';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { client } from '../helpers/http.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));
let app: Running;
let base: string;
let browser: Browser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  tokens.admin = app.store.addUser({ name: '管理员', role: 'admin' }).token;
  tokens.reviewer = app.store.addUser({ name: '审核员', role: 'reviewer' }).token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(token: string) {
  return signInAt(browser, base, token);
}

describe('accounts page in chromium', () => {
  it('admin adds a unit and an account; its editor submits to it; once retired it is no longer offered and the API refuses', async () => {
    const admin = await signIn(tokens.admin!);
    await Promise.all([admin.waitForURL(/\/ui\/admin\/accounts/), admin.click('header a[href="/ui/admin/accounts"]')]);
    await admin.fill('#addUnit input[name=name]', '某区人社局');
    await Promise.all([admin.waitForURL(/flash=/), admin.click('#addUnit button[type=submit]')]);
    expect(await admin.textContent('.flash')).toBe('已添加单位「某区人社局」');

    await admin.fill('#addAccount input[name=name]', '某区人社视频号');
    await admin.selectOption('#addAccount select[name=platform]', 'other');
    await admin.selectOption('#addAccount select[name=unit]', '某区人社局');
    await Promise.all([admin.waitForURL(/flash=/), admin.click('#addAccount button[type=submit]')]);
    expect(await admin.textContent('.flash')).toBe('已添加账号「某区人社视频号」');
    const row = admin.locator('section[data-unit="某区人社局"] tr[data-account="某区人社视频号"]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('其他（视频号、抖音等）');
    expect(await row.locator('td.state').textContent()).toBe('在用');
    expect(await row.textContent()).toContain('从未发布（加入矩阵 0 天）');
    expect(await row.locator('time').count()).toBe(1);

    // A duplicate is refused on this page, in Chinese.
    await admin.fill('#addAccount input[name=name]', '人社官微');
    await Promise.all([admin.waitForURL(/flash=/), admin.click('#addAccount button[type=submit]')]);
    expect(await admin.textContent('.flash.error')).toBe('已有名为「人社官微」的账号');
    await admin.screenshot({ path: `${ARTIFACTS}accounts-1-added.png`, fullPage: true });

    // An editor of the new account submits to it.
    tokens.editor = app.store.addUser({ name: '区编辑', role: 'editor', accounts: ['某区人社视频号'] }).token;
    const editor = await signIn(tokens.editor);
    await editor.goto(`${base}/ui/posts/new`);
    expect(await editor.locator('select[name=account] option').allTextContents()).toEqual(['某区人社视频号']);
    await editor.fill('textarea[name=body]', '本周六在区就业服务中心举办招聘会。');
    await Promise.all([editor.waitForURL(/\/ui\/posts\/[0-9a-f-]{36}/), editor.click('#newPost button[type=submit]')]);
    const postId = editor.url().split('/ui/posts/')[1]!.split('?')[0]!;
    expect((await client(base, tokens.editor).get(`/api/posts/${postId}`)).body.account).toBe('某区人社视频号');

    // The admin retires it.
    await admin.goto(`${base}/ui/admin/accounts`);
    await Promise.all([admin.waitForURL(/flash=/), admin.locator('tr[data-account="某区人社视频号"] form[action$="/retire"] button').click()]);
    expect(await admin.textContent('.flash')).toBe('已停用「某区人社视频号」，不再接收新稿件');
    expect(await admin.locator('tr[data-account="某区人社视频号"] td.state').textContent()).toMatch(/^已停用（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）$/);
    await admin.screenshot({ path: `${ARTIFACTS}accounts-2-retired.png`, fullPage: true });

    await editor.goto(`${base}/ui/posts/new`);
    expect(await editor.locator('select[name=account] option').count()).toBe(0);
    const refused = await client(base, tokens.editor).post('/api/posts', { account: '某区人社视频号', body: '停用后的新稿件' });
    expect(refused).toMatchObject({ status: 409, body: { field: 'account' } });
  }, 120_000);

  it('is for admins only: no link and no page for a reviewer', async () => {
    const reviewer = await signIn(tokens.reviewer!);
    expect(await reviewer.locator('header a[href="/ui/admin/accounts"]').count()).toBe(0);
    await reviewer.goto(`${base}/ui/admin/accounts`);
    expect(reviewer.url()).not.toContain('/ui/admin/accounts');
    expect(await reviewer.textContent('.flash.error')).toBe('只有管理员可以管理账号和单位');
  }, 60_000);
});
