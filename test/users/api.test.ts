/**
 * The users API against a real server on a real SQLite file: every route's
 * success with its whole body, and every refusal it documents (400 naming the
 * field, 401, 403, 404, 409); a rotated or disabled token stops at once, so
 * does a disabled user's workspace session; every change is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { client, uiSession } from '../helpers/http.js';

let app: Running;
let base: string;
const tokens: Record<string, string> = {};
const ids: Record<string, number> = {};

const TOKEN = /^lg_[A-Za-z0-9_-]{43}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  for (const [key, name, role, accounts] of [
    ['admin', '管理员', 'admin', []],
    ['editor', '张编辑', 'editor', ['人社官微', '上海社保']],
    ['reviewer', '审核员', 'reviewer', []],
    ['compliance', '合规员', 'compliance', []],
  ] as const) {
    const t = app.store.addUser({ name, role, accounts: [...accounts] });
    tokens[key] = t.token;
    ids[key] = t.id;
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const as = (who: string) => client(base, tokens[who]);

interface AuditRow {
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  data: string | null;
}
function auditSince(seq: number): AuditRow[] {
  return app.db.$client.prepare('SELECT actor_id AS actorId, action, entity_type AS entityType, entity_id AS entityId, data FROM audit_log WHERE seq > ? ORDER BY seq').all(seq) as AuditRow[];
}
function lastSeq(): number {
  return (app.db.$client.prepare('SELECT coalesce(max(seq), 0) AS n FROM audit_log').get() as { n: number }).n;
}

/** Sign-in to the workspace with `token`; the `cookie` header of its session. */
const signIn = (token: string) => uiSession((path, init) => fetch(base + path, init), token);
/** GET a workspace page (the reviewers' queue unless told) with a session cookie, not following redirects. */
async function pageWith(cookie: string, path = '/ui/queue') {
  const res = await fetch(base + path, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') };
}

describe('GET /api/me', () => {
  it('answers who the token belongs to, and 401 without a working token', async () => {
    const me = await as('editor').get('/api/me');
    const accountIds = app.db.$client.prepare("SELECT id FROM accounts WHERE name IN ('人社官微', '上海社保') ORDER BY id").pluck().all();
    expect(me).toEqual({ status: 200, body: { id: ids.editor, name: '张编辑', role: 'editor', accountIds } });
    expect(await client(base).get('/api/me')).toEqual({ status: 401, body: { error: 'missing bearer token (Authorization: Bearer TOKEN)' } });
    expect(await client(base, 'lg_not-a-token').get('/api/me')).toEqual({ status: 401, body: { error: 'invalid or disabled token' } });
    const basic = await fetch(`${base}/api/me`, { headers: { authorization: `Basic ${tokens.editor}` } });
    expect(basic.status).toBe(401);
  });

  it('refuses a token once its expiry has passed', async () => {
    const issued = await as('admin').post('/api/users', { name: '临时编辑', role: 'editor', expiresInDays: 1 });
    expect(issued.status).toBe(201);
    expect((await client(base, issued.body.token).get('/api/me')).status).toBe(200);
    app.db.$client.prepare('UPDATE users SET token_expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), issued.body.id);
    expect(await client(base, issued.body.token).get('/api/me')).toEqual({ status: 401, body: { error: 'invalid or disabled token' } });
    // Nor does it sign in to the workspace.
    await expect(signIn(issued.body.token)).rejects.toThrow(/sign-in failed: 303/);
    const listed = (await as('admin').get('/api/users')).body.users.find((u: { id: number }) => u.id === issued.body.id);
    expect(listed).toMatchObject({ disabled: false, tokenExpiresAt: expect.stringMatching(ISO) });
    expect(Date.parse(listed.tokenExpiresAt)).toBeLessThan(Date.now());
  });
});

describe('GET /api/users', () => {
  it('lists every user with accounts, state and expiry, never a token (admins only)', async () => {
    const list = await as('admin').get('/api/users');
    expect(list.status).toBe(200);
    const first = list.body.users.slice(0, 4);
    expect(first).toEqual([
      { id: ids.admin, name: '管理员', role: 'admin', accounts: [], disabled: false, createdAt: expect.stringMatching(ISO), tokenExpiresAt: null },
      { id: ids.editor, name: '张编辑', role: 'editor', accounts: ['人社官微', '上海社保'], disabled: false, createdAt: expect.stringMatching(ISO), tokenExpiresAt: null },
      { id: ids.reviewer, name: '审核员', role: 'reviewer', accounts: [], disabled: false, createdAt: expect.stringMatching(ISO), tokenExpiresAt: null },
      { id: ids.compliance, name: '合规员', role: 'compliance', accounts: [], disabled: false, createdAt: expect.stringMatching(ISO), tokenExpiresAt: null },
    ]);
    const text = JSON.stringify(list.body);
    for (const t of Object.values(tokens)) expect(text).not.toContain(t);
    expect(text).not.toMatch(/lg_|tokenHash|token_hash/);

    expect((await client(base).get('/api/users')).status).toBe(401);
    for (const who of ['editor', 'reviewer', 'compliance']) {
      expect(await as(who).get('/api/users')).toEqual({ status: 403, body: { error: `role ${who} may not list users` } });
    }
  });
});

describe('POST /api/users', () => {
  it('adds a user and returns their token once; the token works; audited without the token', async () => {
    const seq = lastSeq();
    const before = Date.now();
    const r = await as('admin').post('/api/users', { name: '  王编辑  ', role: 'editor', accounts: ['乐业上海', '乐业上海'], expiresInDays: 30 });
    expect(r).toEqual({ status: 201, body: { id: expect.any(Number), name: '王编辑', role: 'editor', token: expect.stringMatching(TOKEN), tokenExpiresAt: expect.stringMatching(ISO) } });
    const expiry = Date.parse(r.body.tokenExpiresAt) - before;
    expect(expiry).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(expiry).toBeLessThan(31 * 86_400_000);
    const me = await client(base, r.body.token).get('/api/me');
    expect(me.body).toMatchObject({ id: r.body.id, name: '王编辑', role: 'editor' });
    expect(me.body.accountIds).toHaveLength(1);
    const listed = (await as('admin').get('/api/users')).body.users.find((u: { id: number }) => u.id === r.body.id);
    expect(listed).toEqual({ id: r.body.id, name: '王编辑', role: 'editor', accounts: ['乐业上海'], disabled: false, createdAt: expect.stringMatching(ISO), tokenExpiresAt: r.body.tokenExpiresAt });

    const rows = auditSince(seq);
    expect(rows.map((x) => [x.actorId, x.action, x.entityType, x.entityId])).toEqual([[ids.admin, 'user.add', 'user', String(r.body.id)]]);
    expect(JSON.parse(rows[0]!.data!)).toEqual({ name: '王编辑', role: 'editor', accounts: ['乐业上海'], tokenExpiresAt: r.body.tokenExpiresAt });
    expect(rows[0]!.data).not.toContain(r.body.token);

    // Without accounts and expiry: a token that does not expire.
    const plain = await as('admin').post('/api/users', { name: '赵审核', role: 'reviewer' });
    expect(plain).toEqual({ status: 201, body: { id: plain.body.id, name: '赵审核', role: 'reviewer', token: expect.stringMatching(TOKEN), tokenExpiresAt: null } });
    // Names need not be unique: a second 赵审核 is another user.
    const again = await as('admin').post('/api/users', { name: '赵审核', role: 'reviewer' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(plain.body.id);
    expect(again.body.token).not.toBe(plain.body.token);
  });

  it('refuses a bad body with 400 naming the field, and writes nothing', async () => {
    const seq = lastSeq();
    const users = (await as('admin').get('/api/users')).body.users.length;
    const ok = { name: '新用户', role: 'reviewer' };
    const cases: Array<[unknown, string]> = [
      [{ ...ok, colour: 'red' }, 'colour'],
      [{ ...ok, token: 'lg_mine' }, 'token'],
      [{ ...ok, role: 'superuser' }, 'role'],
      [{ name: '新用户' }, 'role'],
      [{ ...ok, expiresInDays: 0 }, 'expiresInDays'],
      [{ ...ok, expiresInDays: 3651 }, 'expiresInDays'],
      [{ ...ok, expiresInDays: 1.5 }, 'expiresInDays'],
      [{ ...ok, expiresInDays: '7' }, 'expiresInDays'],
      [{ ...ok, name: '' }, 'name'],
      [{ ...ok, name: '   ' }, 'name'],
      [{ ...ok, name: 'x'.repeat(101) }, 'name'],
      [{ ...ok, name: 'a\u0000b' }, 'name'],
      [{ role: 'reviewer' }, 'name'],
      [{ ...ok, accounts: '人社官微' }, 'accounts'],
      [{ ...ok, accounts: [''] }, 'accounts.0'],
      [{ ...ok, accounts: ['没有这个号'] }, 'accounts'],
    ];
    for (const [body, field] of cases) {
      const r = await as('admin').post('/api/users', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toEqual({ error: expect.any(String), field });
    }
    expect((await as('admin').post('/api/users', { ...ok, accounts: ['没有这个号'] })).body.error).toBe('unknown account: 没有这个号');
    expect((await as('admin').post('/api/users', { ...ok, colour: 'red' })).body.error).toBe('unknown field: colour');
    expect((await as('admin').raw('/api/users', '{"name":')).status).toBe(400);
    expect((await as('admin').get('/api/users')).body.users.length).toBe(users);
    expect(auditSince(seq)).toEqual([]);
  });

  it('refuses a retired account with 409 (field accounts)', async () => {
    expect((await as('admin').post('/api/accounts', { name: '某县人社', platform: 'wechat', unit: '局宣教中心' })).status).toBe(201);
    expect((await client(base, tokens.admin).post('/api/users', { name: '县编辑', role: 'editor', accounts: ['某县人社'] })).status).toBe(201);
    const retire = await fetch(`${base}/api/accounts/${encodeURIComponent('某县人社')}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ retired: true }),
    });
    expect(retire.status).toBe(200);
    const seq = lastSeq();
    const users = (await as('admin').get('/api/users')).body.users.length;
    const r = await as('admin').post('/api/users', { name: '县编辑乙', role: 'editor', accounts: ['人社官微', '某县人社'] });
    expect(r).toEqual({ status: 409, body: { error: 'account 某县人社 is retired and cannot be assigned', field: 'accounts' } });
    expect((await as('admin').get('/api/users')).body.users.length).toBe(users);
    expect(auditSince(seq)).toEqual([]);
  });

  it('is for admins only: 401 without a token, 403 for other roles whatever the body', async () => {
    expect((await client(base).post('/api/users', { name: '甲', role: 'admin' })).status).toBe(401);
    expect((await client(base, 'lg_nope').post('/api/users', { name: '甲', role: 'admin' })).status).toBe(401);
    for (const who of ['editor', 'reviewer', 'compliance']) {
      expect(await as(who).post('/api/users', { name: '甲', role: 'admin' })).toEqual({ status: 403, body: { error: `role ${who} may not add users` } });
      expect((await as(who).post('/api/users', { bogus: true })).status).toBe(403);
    }
  });
});

describe('POST /api/users/{id}/disable and /enable', () => {
  it('disabling stops the token and the workspace session at once; enabling brings the token back; both audited', async () => {
    const u = await as('admin').post('/api/users', { name: '离职审核员', role: 'reviewer' });
    const id = u.body.id as number;
    const cookie = await signIn(u.body.token);
    expect(await pageWith(cookie)).toEqual({ status: 200, location: null });
    expect((await client(base, u.body.token).get('/api/me')).status).toBe(200);

    const seq = lastSeq();
    const off = await as('admin').post(`/api/users/${id}/disable`);
    expect(off).toEqual({ status: 200, body: { id, name: '离职审核员', role: 'reviewer', accounts: [], disabled: true, createdAt: expect.stringMatching(ISO), tokenExpiresAt: null } });
    expect(await client(base, u.body.token).get('/api/me')).toEqual({ status: 401, body: { error: 'invalid or disabled token' } });
    expect(await pageWith(cookie)).toEqual({ status: 303, location: '/ui/login' });
    await expect(signIn(u.body.token)).rejects.toThrow(/sign-in failed/);
    expect((await as('admin').get('/api/users')).body.users.find((x: { id: number }) => x.id === id).disabled).toBe(true);

    expect(await as('admin').post(`/api/users/${id}/disable`)).toEqual({ status: 409, body: { error: `user ${id} is already disabled` } });

    const on = await as('admin').post(`/api/users/${id}/enable`);
    expect(on).toEqual({ status: 200, body: { ...off.body, disabled: false } });
    expect((await client(base, u.body.token).get('/api/me')).body.id).toBe(id);
    // The old session stays ended: enabling does not bring it back.
    expect(await pageWith(cookie)).toEqual({ status: 303, location: '/ui/login' });
    expect(await as('admin').post(`/api/users/${id}/enable`)).toEqual({ status: 409, body: { error: `user ${id} is not disabled` } });

    expect(auditSince(seq).map((x) => [x.actorId, x.action, x.entityType, x.entityId, JSON.parse(x.data!)])).toEqual([
      [ids.admin, 'user.disable', 'user', String(id), { name: '离职审核员', role: 'reviewer' }],
      [ids.admin, 'user.enable', 'user', String(id), { name: '离职审核员', role: 'reviewer' }],
    ]);
  });

  it('refuses disabling yourself (409); another admin may be disabled while one stays', async () => {
    expect(await as('admin').post(`/api/users/${ids.admin}/disable`)).toEqual({ status: 409, body: { error: 'you cannot disable yourself' } });
    const second = await as('admin').post('/api/users', { name: '管理员乙', role: 'admin' });
    tokens.admin2 = second.body.token;
    expect(await as('admin2').post(`/api/users/${second.body.id}/disable`)).toMatchObject({ status: 409, body: { error: 'you cannot disable yourself' } });
    // Disabling the other admin is fine: the caller is an enabled admin. (The last enabled admin can
    // only be refused to the CLI, whose operator is nobody: see test/users/cli.test.ts.)
    expect(await as('admin2').post(`/api/users/${ids.admin}/disable`)).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await as('admin').get('/api/me')).status).toBe(401);
    expect(await as('admin2').post(`/api/users/${ids.admin}/enable`)).toMatchObject({ status: 200, body: { disabled: false } });
    expect((await as('admin').get('/api/me')).status).toBe(200);
    expect((await as('admin').get('/api/users')).body.users.filter((u: { role: string; disabled: boolean }) => u.role === 'admin' && !u.disabled)).toHaveLength(2);
  });

  it('400 for an id that is not a plain positive number, 404 for an unknown one, 401/403 first', async () => {
    for (const action of ['disable', 'enable']) {
      for (const bad of ['abc', '01', '0', '-1', '1.0', '0x1', '1e3']) {
        const r = await as('admin').post(`/api/users/${bad}/${action}`);
        expect(r.status, `${action} ${bad}`).toBe(400);
        expect(r.body, `${action} ${bad}`).toEqual({ error: expect.stringMatching(/^id: /), field: 'id' });
      }
      expect(await as('admin').post(`/api/users/99999/${action}`)).toEqual({ status: 404, body: { error: 'no user 99999' } });
      expect((await client(base).post(`/api/users/${ids.reviewer}/${action}`)).status).toBe(401);
      expect((await client(base, 'lg_wrong').post(`/api/users/${ids.reviewer}/${action}`)).status).toBe(401);
      for (const who of ['editor', 'reviewer', 'compliance']) {
        const what = action === 'disable' ? 'disable users' : 'enable users';
        expect(await as(who).post(`/api/users/${ids.compliance}/${action}`)).toEqual({ status: 403, body: { error: `role ${who} may not ${what}` } });
        // A caller who may not is told 403 even for a malformed id.
        expect((await as(who).post(`/api/users/abc/${action}`)).status).toBe(403);
      }
    }
    expect((await as('compliance').get('/api/me')).status).toBe(200);
  });
});

describe('POST /api/users/{id}/rotate', () => {
  it('issues a new token: the old one is 401 at once, the new one works, sessions end; audited without tokens', async () => {
    const u = await as('admin').post('/api/users', { name: '换令牌编辑', role: 'editor', accounts: ['人社官微'] });
    const id = u.body.id as number;
    const cookie = await signIn(u.body.token);
    expect(await pageWith(cookie, '/ui/posts')).toMatchObject({ status: 200 });

    const seq = lastSeq();
    const r = await as('admin').post(`/api/users/${id}/rotate`);
    expect(r).toEqual({ status: 200, body: { id, name: '换令牌编辑', role: 'editor', token: expect.stringMatching(TOKEN), tokenExpiresAt: null } });
    expect(r.body.token).not.toBe(u.body.token);
    expect(await client(base, u.body.token).get('/api/me')).toEqual({ status: 401, body: { error: 'invalid or disabled token' } });
    expect((await client(base, r.body.token).get('/api/me')).body).toMatchObject({ id, name: '换令牌编辑' });
    expect(await pageWith(cookie, '/ui/posts')).toEqual({ status: 303, location: '/ui/login' });
    // The workspace accepts the new token.
    expect(await pageWith(await signIn(r.body.token), '/ui/posts')).toMatchObject({ status: 200 });

    // With an expiry in the body.
    const before = Date.now();
    const r2 = await as('admin').post(`/api/users/${id}/rotate`, { expiresInDays: 7 });
    expect(r2).toEqual({ status: 200, body: { id, name: '换令牌编辑', role: 'editor', token: expect.stringMatching(TOKEN), tokenExpiresAt: expect.stringMatching(ISO) } });
    expect(Date.parse(r2.body.tokenExpiresAt) - before).toBeGreaterThanOrEqual(7 * 86_400_000);
    expect(Date.parse(r2.body.tokenExpiresAt) - before).toBeLessThan(8 * 86_400_000);
    expect((await client(base, r.body.token).get('/api/me')).status).toBe(401);
    expect((await client(base, r2.body.token).get('/api/me')).status).toBe(200);
    // An empty body: a new token without expiry.
    const r3 = await as('admin').post(`/api/users/${id}/rotate`, {});
    expect(r3.body.tokenExpiresAt).toBeNull();
    expect((await client(base, r3.body.token).get('/api/me')).status).toBe(200);

    const rows = auditSince(seq).filter((x) => x.action !== 'session.start');
    expect(rows.map((x) => [x.actorId, x.action, x.entityType, x.entityId, JSON.parse(x.data!)])).toEqual([
      [ids.admin, 'user.rotate', 'user', String(id), { name: '换令牌编辑', tokenExpiresAt: null }],
      [ids.admin, 'user.rotate', 'user', String(id), { name: '换令牌编辑', tokenExpiresAt: r2.body.tokenExpiresAt }],
      [ids.admin, 'user.rotate', 'user', String(id), { name: '换令牌编辑', tokenExpiresAt: null }],
    ]);
    const logged = JSON.stringify(auditSince(0));
    for (const t of [u.body.token, r.body.token, r2.body.token, r3.body.token]) expect(logged).not.toContain(t);
  });

  it('refuses a bad body or id with 400 naming the field, an unknown user with 404, others with 401/403', async () => {
    const seq = lastSeq();
    const target = ids.compliance;
    for (const [body, field] of [
      [{ expiresInDays: 0 }, 'expiresInDays'],
      [{ expiresInDays: 3651 }, 'expiresInDays'],
      [{ expiresInDays: -3 }, 'expiresInDays'],
      [{ expiresInDays: 'soon' }, 'expiresInDays'],
      [{ name: '改名' }, 'name'],
    ] as const) {
      const r = await as('admin').post(`/api/users/${target}/rotate`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toEqual({ error: expect.any(String), field });
    }
    for (const bad of ['abc', '01', '0']) expect(await as('admin').post(`/api/users/${bad}/rotate`)).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await as('admin').post('/api/users/99999/rotate')).toEqual({ status: 404, body: { error: 'no user 99999' } });
    expect((await client(base).post(`/api/users/${target}/rotate`)).status).toBe(401);
    for (const who of ['editor', 'reviewer', 'compliance']) {
      expect(await as(who).post(`/api/users/${target}/rotate`)).toEqual({ status: 403, body: { error: `role ${who} may not rotate tokens` } });
    }
    // Nothing was rotated: the compliance officer's token still works.
    expect((await as('compliance').get('/api/me')).status).toBe(200);
    expect(auditSince(seq)).toEqual([]);
  });
});

describe('openapi', () => {
  it('documents every users operation with a summary, tag and its error statuses', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses: Record<string, unknown> }>> };
    const ops: Array<[string, string, string[]]> = [
      ['/api/me', 'get', ['200', '401']],
      ['/api/users', 'get', ['200', '401', '403']],
      ['/api/users', 'post', ['201', '400', '401', '403', '409']],
      ['/api/users/{id}/disable', 'post', ['200', '400', '401', '403', '404', '409']],
      ['/api/users/{id}/enable', 'post', ['200', '400', '401', '403', '404', '409']],
      ['/api/users/{id}/rotate', 'post', ['200', '400', '401', '403', '404']],
    ];
    for (const [p, m, statuses] of ops) {
      const op = doc.paths[p]?.[m];
      expect(op?.summary, `${m} ${p}`).toEqual(expect.any(String));
      expect(op?.tags).toEqual(['users']);
      expect(Object.keys(op!.responses).sort(), `${m} ${p}`).toEqual(statuses.sort());
    }
  });
});
