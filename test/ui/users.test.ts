/**
 * The admin's user page in a real browser (Debian chromium via playwright-core)
 * against a real server: the admin adds a reviewer and reads the token shown
 * once; the reviewer signs in with it (an HttpOnly, SameSite=Strict session
 * cookie that is not the token) and sees the queue; the admin disables them and
 * their next page load lands on the sign-in page while the token is 401 at the
 * API. Signing out ends the session: its cookie no longer works when replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, signIn } from '../helpers/browser.js';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { client } from '../helpers/http.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));
let app: Running;
let base: string;
let browser: Browser;
let adminToken: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  adminToken = app.store.addUser({ name: '管理员', role: 'admin' }).token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** GET a workspace page (the queue unless told) replaying a `lastgate_session=…` cookie, not following redirects. */
async function replay(cookie: string, path = '/ui/queue') {
  const res = await fetch(base + path, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') };
}

describe('user page in chromium', () => {
  it('admin adds a reviewer who signs in with the token shown once; disabling them ends their session and token', async () => {
    const admin = await signIn(browser, base, adminToken);
    await Promise.all([admin.waitForURL(/\/ui\/admin\/users$/), admin.click('header a[href="/ui/admin/users"]')]);
    expect(await admin.textContent('h1')).toBe('用户管理');

    // An account added on the accounts page is offered to the new user at once.
    await admin.goto(`${base}/ui/admin/accounts`);
    await admin.fill('#addAccount input[name=name]', '某区人社');
    await admin.selectOption('#addAccount select[name=platform]', 'wechat');
    await admin.selectOption('#addAccount select[name=unit]', '局宣教中心');
    await Promise.all([admin.waitForURL(/flash=/), admin.click('#addAccount button[type=submit]')]);
    expect(await admin.textContent('.flash')).toBe('已添加账号「某区人社」');
    await admin.goto(`${base}/ui/admin/users`);
    expect(await admin.locator('#addUser input[name=account][value="某区人社"]').count()).toBe(1);

    await admin.fill('#addUser input[name=name]', '新审核员');
    await admin.selectOption('#addUser select[name=role]', 'reviewer');
    await admin.check('#addUser input[name=account][value="某区人社"]');
    const onceId = await admin.locator('#addUser input[name=once]').inputValue();
    const usersBefore = (await client(base, adminToken).get('/api/users')).body.users.length;
    await Promise.all([admin.waitForResponse((r) => r.url() === `${base}/ui/admin/users` && r.request().method() === 'POST'), admin.click('#addUser button[type=submit]')]);
    expect(await admin.locator('#issued b').textContent()).toMatch(/^用户已创建：#\d+ 新审核员（审核员）$/);
    const token = (await admin.textContent('#issuedToken'))!.trim();
    expect(token).toMatch(/^lg_[A-Za-z0-9_-]{43}$/);
    const me = await client(base, token).get('/api/me');
    expect(me.body).toMatchObject({ name: '新审核员', role: 'reviewer' });
    const id = me.body.id as number;
    const row = admin.locator(`#user-${id}`);
    expect(await row.locator('td.state').textContent()).toBe('在用');
    expect(await row.textContent()).toContain('某区人社');
    await admin.screenshot({ path: `${ARTIFACTS}users-1-added.png`, fullPage: true });
    // Posting the same form again (a reload of the token page) adds nobody and says what the first post did.
    const again = await admin.context().request.post(`${base}/ui/admin/users`, { headers: { origin: base }, form: { once: onceId, name: '新审核员', role: 'reviewer', account: '某区人社' }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    await admin.goto(`${base}${again.headers()['location']}`);
    expect(await admin.textContent('.flash.error')).toBe(`此表单已提交过：已创建 #${id} 新审核员。令牌只在第一次提交时显示；如已遗失，请对该用户点“更换令牌”`);
    expect((await client(base, adminToken).get('/api/users')).body.users.length).toBe(usersBefore + 1);
    // The token is shown once: the list page does not show it again.
    await admin.goto(`${base}/ui/admin/users`);
    expect(await admin.locator('#issuedToken').count()).toBe(0);
    expect(await admin.content()).not.toContain(token);

    // The reviewer signs in with it in a browser of their own.
    const reviewer = await signIn(browser, base, token);
    expect(new URL(reviewer.url()).pathname).toBe('/ui/queue');
    expect(await reviewer.textContent('header .who')).toContain('新审核员（审核员）');
    const cookies = await reviewer.context().cookies();
    expect(cookies.map((c) => c.name)).toEqual(['lastgate_session']);
    const [session] = cookies;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui' });
    expect(session!.value).not.toBe(token);
    expect(session!.value).not.toContain(token.slice(3));
    expect(session!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await replay(`lastgate_session=${session!.value}`)).toEqual({ status: 200, location: null });

    // The admin disables them on the page.
    await Promise.all([admin.waitForURL(/flash=/), row.locator('button[name=disable]').click()]);
    expect(await admin.textContent('.flash')).toBe(`已停用 #${id} 新审核员：其令牌和登录会话已立即失效`);
    expect(await admin.locator(`#user-${id} td.state`).textContent()).toBe('已停用');
    expect(await admin.locator(`#user-${id} button[name=enable]`).count()).toBe(1);
    await admin.screenshot({ path: `${ARTIFACTS}users-2-disabled.png`, fullPage: true });

    await reviewer.reload();
    expect(new URL(reviewer.url()).pathname).toBe('/ui/login');
    expect(await client(base, token).get('/api/me')).toEqual({ status: 401, body: { error: 'invalid or disabled token' } });
    expect(await replay(`lastgate_session=${session!.value}`)).toEqual({ status: 303, location: '/ui/login' });
    // Nor can they sign in again.
    await reviewer.fill('input[name=token]', token);
    await Promise.all([reviewer.waitForURL(/\/ui\/login\?/), reviewer.click('button[type=submit]')]);
    expect(await reviewer.textContent('.flash.error')).toBe('令牌无效、已过期或已停用');
    await reviewer.context().close();
    await admin.context().close();
  }, 120_000);

  it('signing out ends the session: the old cookie no longer works when replayed', async () => {
    const admin = await signIn(browser, base, adminToken);
    const value = (await admin.context().cookies()).find((c) => c.name === 'lastgate_session')!.value;
    expect(await replay(`lastgate_session=${value}`, '/ui/posts')).toEqual({ status: 200, location: null });
    await Promise.all([admin.waitForURL(/\/ui\/login/), admin.click('#logout')]);
    expect(await admin.textContent('.flash')).toBe('已退出登录');
    expect((await admin.context().cookies()).filter((c) => c.name === 'lastgate_session')).toEqual([]);
    expect(await replay(`lastgate_session=${value}`, '/ui/posts')).toEqual({ status: 303, location: '/ui/login' });
    await admin.goto(`${base}/ui/admin/users`);
    expect(new URL(admin.url()).pathname).toBe('/ui/login');
    // The token itself still works: signing out ends only that session.
    expect((await client(base, adminToken).get('/api/me')).status).toBe(200);
    await admin.context().close();
  }, 60_000);
});
