/** The accounts and units API against a real server on a real SQLite file, with every refusal it documents. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';

let app: Running;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  tokens.admin = app.store.addUser({ name: '管理员', role: 'admin' }).token;
  tokens.editor = app.store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token;
  tokens.reviewer = app.store.addUser({ name: '审核员', role: 'reviewer' }).token;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function call(who: string | null, method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const enc = encodeURIComponent;

describe('units API', () => {
  it('lists, adds and renames units', async () => {
    expect((await call(null, 'GET', '/api/units')).status).toBe(401);
    const list = await call('editor', 'GET', '/api/units');
    expect(list.status).toBe(200);
    expect(list.body.units).toContainEqual({ id: expect.any(Number), name: '局宣教中心', accounts: 2, retiredAccounts: 0 });

    expect((await call(null, 'POST', '/api/units', { name: '某区人社局' })).status).toBe(401);
    expect((await call('reviewer', 'POST', '/api/units', { name: '某区人社局' })).status).toBe(403);
    expect(await call('admin', 'POST', '/api/units', { name: '' })).toMatchObject({ status: 400, body: { field: 'name' } });
    expect(await call('admin', 'POST', '/api/units', { name: 'x', extra: 1 })).toMatchObject({ status: 400 });
    const added = await call('admin', 'POST', '/api/units', { name: '某区人社局' });
    expect(added).toMatchObject({ status: 201, body: { name: '某区人社局', accounts: 0 } });
    expect(await call('admin', 'POST', '/api/units', { name: '某区人社局' })).toMatchObject({ status: 409, body: { field: 'name' } });

    const id = added.body.id;
    expect((await call(null, 'PATCH', `/api/units/${id}`, { name: '某区人社' })).status).toBe(401);
    expect((await call('editor', 'PATCH', `/api/units/${id}`, { name: '某区人社' })).status).toBe(403);
    expect((await call('admin', 'PATCH', `/api/units/0x1`, { name: '某区人社' })).status).toBe(400);
    expect((await call('admin', 'PATCH', `/api/units/${id}`, {})).status).toBe(400);
    expect((await call('admin', 'PATCH', `/api/units/99999`, { name: '某区人社' })).status).toBe(404);
    expect(await call('admin', 'PATCH', `/api/units/${id}`, { name: '市社保中心' })).toMatchObject({ status: 409, body: { field: 'name' } });
    expect(await call('admin', 'PATCH', `/api/units/${id}`, { name: '某区人社' })).toMatchObject({ status: 200, body: { id, name: '某区人社' } });
  });
});

describe('accounts API', () => {
  it('adds an account (admin), refusing duplicates, unknown units and platforms', async () => {
    await call('admin', 'POST', '/api/units', { name: '某市人社局' });
    const body = { name: '某市人社视频号', platform: 'other', unit: '某市人社局' };
    expect((await call(null, 'POST', '/api/accounts', body)).status).toBe(401);
    expect((await call('editor', 'POST', '/api/accounts', body)).status).toBe(403);
    expect(await call('admin', 'POST', '/api/accounts', { ...body, platform: 'tiktok' })).toMatchObject({ status: 400, body: { field: 'platform' } });
    expect(await call('admin', 'POST', '/api/accounts', { ...body, unit: '没有的单位' })).toMatchObject({ status: 400, body: { field: 'unit' } });
    expect(await call('admin', 'POST', '/api/accounts', { ...body, retired: true })).toMatchObject({ status: 400 });
    expect((await call('admin', 'POST', '/api/accounts', '{"name":', undefined)).status).toBe(400);
    const added = await call('admin', 'POST', '/api/accounts', body);
    expect(added).toMatchObject({ status: 201, body: { name: '某市人社视频号', platform: 'other', unit: '某市人社局', lead: false, retiredAt: null, settings: null } });
    expect(Date.parse(added.body.joinedAt)).not.toBeNaN();
    expect(await call('admin', 'POST', '/api/accounts', body)).toMatchObject({ status: 409, body: { field: 'name' } });
  });

  it('lists accounts: editors their own, retired ones only on request, settings for admins', async () => {
    expect((await call(null, 'GET', '/api/accounts')).status).toBe(401);
    expect((await call('admin', 'GET', '/api/accounts?includeRetired=yes')).status).toBe(400);
    const editor = await call('editor', 'GET', '/api/accounts');
    expect(editor.status).toBe(200);
    expect(editor.body.accounts.map((a: { name: string }) => a.name)).toEqual(['人社官微']);
    expect(editor.body.accounts[0]).not.toHaveProperty('settings');
    const reviewer = await call('reviewer', 'GET', '/api/accounts');
    expect(reviewer.body.accounts.length).toBeGreaterThanOrEqual(8);
    await call('admin', 'PUT', `/api/accounts/${enc('上海社保')}/settings`, { windowStart: '08:00', windowEnd: '18:00' });
    const admin = await call('admin', 'GET', '/api/accounts');
    expect(admin.body.accounts.find((a: { name: string }) => a.name === '上海社保').settings).toEqual({ windowStart: '08:00', windowEnd: '18:00', windowDays: null, publisher: 'manual', publisherUrl: null });
  });

  it('renames, moves, retires and reinstates through PATCH; a retired account refuses new posts', async () => {
    await call('admin', 'POST', '/api/accounts', { name: '某县人社', platform: 'wechat', unit: '局宣教中心' });
    const editorOf = app.store.addUser({ name: '县编辑', role: 'editor', accounts: ['某县人社'] }).token;
    tokens.county = editorOf;
    const path = `/api/accounts/${enc('某县人社')}`;
    expect((await call(null, 'PATCH', path, { lead: true })).status).toBe(401);
    expect((await call('editor', 'PATCH', path, { lead: true })).status).toBe(403);
    expect((await call('admin', 'PATCH', path, { colour: 'red' })).status).toBe(400);
    expect((await call('admin', 'PATCH', path, {})).status).toBe(400);
    expect((await call('admin', 'PATCH', path, { lead: 'yes' })).status).toBe(400);
    expect(await call('admin', 'PATCH', path, { unit: '没有的单位' })).toMatchObject({ status: 400, body: { field: 'unit' } });
    expect((await call('admin', 'PATCH', `/api/accounts/${enc('没有这个号')}`, { lead: true })).status).toBe(404);
    expect(await call('admin', 'PATCH', path, { name: '人社官微' })).toMatchObject({ status: 409, body: { field: 'name' } });
    const renamed = await call('admin', 'PATCH', path, { name: '某县人社发布', unit: '市社保中心', lead: true });
    expect(renamed).toMatchObject({ status: 200, body: { name: '某县人社发布', unit: '市社保中心', lead: true } });

    const renamedPath = `/api/accounts/${enc('某县人社发布')}`;
    expect(await call('county', 'POST', '/api/posts', { account: '某县人社发布', body: '停用前的稿件' })).toMatchObject({ status: 201 });
    const retired = await call('admin', 'PATCH', renamedPath, { retired: true });
    expect(retired.status).toBe(200);
    expect(retired.body.retiredAt).toEqual(expect.any(String));
    expect(await call('admin', 'PATCH', renamedPath, { retired: true })).toMatchObject({ status: 409, body: { field: 'retired' } });
    expect(await call('county', 'POST', '/api/posts', { account: '某县人社发布', body: '停用后的稿件' })).toMatchObject({ status: 409, body: { field: 'account' } });
    expect((await call('county', 'GET', '/api/accounts')).body.accounts).toEqual([]);
    expect((await call('county', 'GET', '/api/accounts?includeRetired=true')).body.accounts.map((a: { name: string }) => a.name)).toEqual(['某县人社发布']);
    const fresh = await call('reviewer', 'GET', '/api/accounts/freshness');
    expect(fresh.body.accounts.map((a: { account: string }) => a.account)).not.toContain('某县人社发布');
    expect(fresh.body.accounts.find((a: { account: string }) => a.account === '上海社保')).toMatchObject({ lastPublishedAt: null, since: expect.any(String), days: 0, level: 'ok' });

    expect((await call('admin', 'PATCH', renamedPath, { retired: false })).body.retiredAt).toBeNull();
    expect(await call('admin', 'PATCH', renamedPath, { retired: false })).toMatchObject({ status: 409 });
    expect(await call('county', 'POST', '/api/posts', { account: '某县人社发布', body: '恢复后的稿件' })).toMatchObject({ status: 201 });
  });

  it('documents every account and unit operation with a summary and tags', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    const ops = [
      ['/api/accounts', 'get', 'accounts'],
      ['/api/accounts', 'post', 'accounts'],
      ['/api/accounts/{name}', 'patch', 'accounts'],
      ['/api/accounts/{name}/settings', 'put', 'accounts'],
      ['/api/accounts/freshness', 'get', 'accounts'],
      ['/api/units', 'get', 'units'],
      ['/api/units', 'post', 'units'],
      ['/api/units/{id}', 'patch', 'units'],
    ] as const;
    for (const [p, m, tag] of ops) {
      expect(doc.paths[p]?.[m]?.summary, `${m} ${p}`).toEqual(expect.any(String));
      expect(doc.paths[p]?.[m]?.tags).toEqual([tag]);
    }
  });
});
