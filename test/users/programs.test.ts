/** The user lifecycle and workspace sessions on a real SQLite file. */
import { describe, expect, it } from 'vitest';
import { freshStore, codeOf } from '../helpers/db.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { DomainError } from '../../src/store/errors.js';

function audit(store: SqliteStore) {
  return store.db.$client.prepare('SELECT actor_id AS actorId, action, entity_id AS entityId, data FROM audit_log ORDER BY seq').all() as Array<{ actorId: number | null; action: string; entityId: string; data: string }>;
}

function sessionRows(store: SqliteStore, userId: number): number {
  return (store.db.$client.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(userId) as { n: number }).n;
}

describe('user lifecycle', () => {
  it('lists users with their accounts, state and token expiry', async () => {
    const { store } = freshStore();
    const admin = (await store.authenticate(store.addUser({ name: '管理员', role: 'admin' }).token))!;
    const ed = store.addUser({ name: '张编辑', role: 'editor', accounts: ['人社官微', '上海社保'], expiresInDays: 30 }, admin);
    expect(ed.tokenExpiresAt).not.toBeNull();
    expect(Date.parse(ed.tokenExpiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const list = store.listUsers(admin);
    expect(list.map((u) => [u.id, u.name, u.role, u.accounts, u.disabled])).toEqual([
      [admin.id, '管理员', 'admin', [], false],
      [ed.id, '张编辑', 'editor', ['人社官微', '上海社保'], false],
    ]);
    expect(list[1]!.tokenExpiresAt).toBe(ed.tokenExpiresAt);
    expect(list[0]!.tokenExpiresAt).toBeNull();
    expect(list[0]!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const add = audit(store).filter((r) => r.action === 'user.add').at(-1)!;
    expect(add.actorId).toBe(admin.id);
    expect(add.data).not.toContain(ed.token);
  });

  it('refuses to assign an unknown account (invalid) or a retired one (conflict), naming accounts', async () => {
    const { store } = freshStore();
    const refusal = (accounts: string[]) => {
      try {
        store.addUser({ name: '新编辑', role: 'editor', accounts });
      } catch (e) {
        return e as DomainError;
      }
    };
    expect(refusal(['没有这个号'])).toMatchObject({ code: 'invalid', field: 'accounts', zh: '没有名为「没有这个号」的账号' });
    await store.retireAccount(null, '海纳百创');
    expect(refusal(['人社官微', '海纳百创'])).toMatchObject({ code: 'conflict', field: 'accounts', zh: '账号「海纳百创」已停用，不能分配' });
    expect(store.listUsers().map((u) => u.name)).not.toContain('新编辑');
    await store.reinstateAccount(null, '海纳百创');
    expect(store.addUser({ name: '新编辑', role: 'editor', accounts: ['海纳百创'] }).name).toBe('新编辑');
  });

  it('is for admins only', async () => {
    const { store, mk } = freshStore();
    const target = store.addUser({ name: '甲', role: 'reviewer' });
    for (const role of ['editor', 'reviewer', 'compliance'] as const) {
      const a = await mk(`${role}-x`, role);
      expect(await codeOf(Promise.resolve().then(() => store.listUsers(a)))).toBe('forbidden');
      expect(await codeOf(Promise.resolve().then(() => store.disableUser(a, target.id)))).toBe('forbidden');
      expect(await codeOf(Promise.resolve().then(() => store.enableUser(a, target.id)))).toBe('forbidden');
      expect(await codeOf(Promise.resolve().then(() => store.rotateToken(a, target.id)))).toBe('forbidden');
      expect(await codeOf(Promise.resolve().then(() => store.addUser({ name: '乙', role: 'admin' }, a)))).toBe('forbidden');
    }
    expect(await store.authenticate(target.token)).not.toBeNull();
  });

  it('disabling stops the token and every session at once, audited; enabling brings the token back', async () => {
    const { store, mk } = freshStore();
    const admin = await mk('管理员', 'admin');
    const r = store.addUser({ name: '离职审核员', role: 'reviewer' });
    const s1 = (await store.startSession(r.token))!;
    const s2 = (await store.startSession(r.token))!;
    expect(s1.sessionId).not.toBe(s2.sessionId);
    expect((await store.sessionActor(s1.sessionId))?.id).toBe(r.id);
    expect(sessionRows(store, r.id)).toBe(2);

    const u = store.disableUser(admin, r.id);
    expect(u.disabled).toBe(true);
    expect(await store.authenticate(r.token)).toBeNull();
    expect(await store.sessionActor(s1.sessionId)).toBeNull();
    expect(sessionRows(store, r.id)).toBe(0);
    expect(await store.startSession(r.token)).toBeNull();
    expect(await codeOf(Promise.resolve().then(() => store.disableUser(admin, r.id)))).toBe('conflict');

    expect(store.enableUser(admin, r.id).disabled).toBe(false);
    expect((await store.authenticate(r.token))?.id).toBe(r.id);
    expect(await codeOf(Promise.resolve().then(() => store.enableUser(admin, r.id)))).toBe('conflict');
    const rows = audit(store).filter((x) => x.action === 'user.disable' || x.action === 'user.enable');
    expect(rows.map((x) => [x.action, x.actorId, x.entityId])).toEqual([
      ['user.disable', admin.id, String(r.id)],
      ['user.enable', admin.id, String(r.id)],
    ]);
  });

  it('a disabled user’s session stops even if its row survived', async () => {
    const { store } = freshStore();
    const r = store.addUser({ name: '审核员', role: 'reviewer' });
    const s = (await store.startSession(r.token))!;
    store.db.$client.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(r.id);
    expect(sessionRows(store, r.id)).toBe(1);
    expect(await store.sessionActor(s.sessionId)).toBeNull();
  });

  it('refuses an admin disabling themself and the last enabled admin', async () => {
    const { store, mk } = freshStore();
    const a = await mk('管理员甲', 'admin');
    const self = (() => {
      try {
        store.disableUser(a, a.id);
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(self?.code).toBe('conflict');
    expect(self?.zh).toBe('不能停用自己的账户');
    // The operator at the shell may not disable the only admin either.
    expect(await codeOf(Promise.resolve().then(() => store.disableUser(null, a.id)))).toBe('conflict');
    const b = await mk('管理员乙', 'admin');
    expect(store.disableUser(b, a.id).disabled).toBe(true);
    expect(await codeOf(Promise.resolve().then(() => store.disableUser(null, b.id)))).toBe('conflict');
    expect(await codeOf(Promise.resolve().then(() => store.disableUser(b, 999)))).toBe('not_found');
  });

  it('rotation issues a new token once; the old token and sessions stop at once; never logged', async () => {
    const { store, mk } = freshStore();
    const admin = await mk('管理员', 'admin');
    const e = store.addUser({ name: '编辑', role: 'editor' });
    const s = (await store.startSession(e.token))!;
    const r = store.rotateToken(admin, e.id, { expiresInDays: 7 });
    expect(r.token).not.toBe(e.token);
    expect(r.tokenExpiresAt).not.toBeNull();
    expect(await store.authenticate(e.token)).toBeNull();
    expect((await store.authenticate(r.token))?.id).toBe(e.id);
    expect(await store.sessionActor(s.sessionId)).toBeNull();
    expect(sessionRows(store, e.id)).toBe(0);
    const row = audit(store).find((x) => x.action === 'user.rotate')!;
    expect(row.actorId).toBe(admin.id);
    const all = JSON.stringify(audit(store));
    expect(all).not.toContain(r.token);
    expect(all).not.toContain(e.token);
    expect(all).not.toContain(s.sessionId);
    expect(await codeOf(Promise.resolve().then(() => store.rotateToken(admin, e.id, { expiresInDays: 0 })))).toBe('invalid');
    expect(await codeOf(Promise.resolve().then(() => store.rotateToken(admin, 4242)))).toBe('not_found');
  });

  it('an expired token authenticates as nobody and starts no session; a session never outlives its token', async () => {
    let clock = new Date('2026-03-01T00:00:00Z');
    const { store } = freshStore({ now: () => clock, sessionHours: 8 });
    const u = store.addUser({ name: '临时编辑', role: 'editor', expiresInDays: 1 });
    expect(u.tokenExpiresAt).toBe('2026-03-02T00:00:00.000Z');
    clock = new Date('2026-03-01T20:00:00Z');
    const s = (await store.startSession(u.token))!;
    expect(s.expiresAt).toBe('2026-03-02T00:00:00.000Z');
    clock = new Date('2026-03-01T23:59:59Z');
    expect((await store.authenticate(u.token))?.id).toBe(u.id);
    expect((await store.sessionActor(s.sessionId))?.id).toBe(u.id);
    clock = new Date('2026-03-02T00:00:00Z');
    expect(await store.authenticate(u.token)).toBeNull();
    expect(await store.sessionActor(s.sessionId)).toBeNull();
    expect(await store.startSession(u.token)).toBeNull();
  });

  it('sessions expire after LASTGATE_SESSION_HOURS and end on sign-out; failed sign-ins write nothing', async () => {
    let clock = new Date('2026-03-01T08:00:00Z');
    const { store } = freshStore({ now: () => clock, sessionHours: 2 });
    const u = store.addUser({ name: '审核员', role: 'reviewer' });
    const before = audit(store).length;
    expect(await store.startSession('lg_not-a-token')).toBeNull();
    expect(audit(store).length).toBe(before);
    const s = (await store.startSession(u.token))!;
    expect(s.expiresAt).toBe('2026-03-01T10:00:00.000Z');
    expect(audit(store).at(-1)).toMatchObject({ action: 'session.start', actorId: u.id });
    const stored = store.db.$client.prepare('SELECT id_hash FROM sessions').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toBe(s.sessionId);
    expect(stored[0]).toMatch(/^[0-9a-f]{64}$/);
    clock = new Date('2026-03-01T10:00:00Z');
    expect(await store.sessionActor(s.sessionId)).toBeNull();

    clock = new Date('2026-03-01T11:00:00Z');
    const s2 = (await store.startSession(u.token))!;
    // The expired session was swept when the new one started.
    expect(sessionRows(store, u.id)).toBe(1);
    await store.endSession(s2.sessionId);
    expect(await store.sessionActor(s2.sessionId)).toBeNull();
    expect(audit(store).at(-1)).toMatchObject({ action: 'session.end', actorId: u.id });
    const n = audit(store).length;
    await store.endSession(s2.sessionId);
    expect(audit(store).length).toBe(n);
  });

  it('finds a user by #ID, id or unique name, and lists the candidates of an ambiguous name', () => {
    const { store } = freshStore();
    const a = store.addUser({ name: '王芳', role: 'editor' });
    const b = store.addUser({ name: '王芳', role: 'reviewer' });
    const c = store.addUser({ name: '李明', role: 'reviewer' });
    expect(store.findUser(`#${a.id}`).id).toBe(a.id);
    expect(store.findUser(String(b.id)).id).toBe(b.id);
    expect(store.findUser('李明').id).toBe(c.id);
    let err: DomainError | undefined;
    try {
      store.findUser('王芳');
    } catch (e) {
      err = e as DomainError;
    }
    expect(err?.code).toBe('conflict');
    expect(err?.message).toContain(`#${a.id} (editor), #${b.id} (reviewer)`);
    expect(() => store.findUser('没有这个人')).toThrow(/no user named/);
    expect(() => store.findUser('#999')).toThrow(/no user 999/);
  });
});
