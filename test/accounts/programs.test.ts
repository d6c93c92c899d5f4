/**
 * Accounts and units of the matrix on a real SQLite file: adding, renaming,
 * moving, retiring and reinstating accounts; what a retired account still
 * does (work in flight, cleanup) and no longer does (new posts, freshness);
 * freshness of an account that never published.
 */
import { describe, expect, it } from 'vitest';
import { freshStore, result } from '../helpers/db.js';
import { publishThrough } from '../helpers/publish.js';
import { CleanupService } from '../../src/cleanup/service.js';

let now = new Date('2026-11-02T02:00:00Z');
const clock = () => now;

async function env() {
  const s = freshStore({ now: clock });
  const admin = await s.mk('管理员', 'admin');
  const reviewer = await s.mk('审核员', 'reviewer');
  const comp = await s.mk('合规', 'compliance');
  return { ...s, admin, reviewer, comp };
}

const audit = (e: Awaited<ReturnType<typeof env>>, action: string) =>
  (e.db.$client.prepare('SELECT actor_id AS actorId, data FROM audit_log WHERE action = ? ORDER BY seq').all(action) as Array<{ actorId: number | null; data: string }>).map((r) => ({ actorId: r.actorId, data: JSON.parse(r.data) }));

describe('units', () => {
  it('adds and renames units (admin only), refusing duplicates and unknown units', async () => {
    const e = await env();
    const u = await e.store.addUnit(e.admin, { name: ' 某区人社局 ' });
    expect(u).toMatchObject({ name: '某区人社局', accounts: 0, retiredAccounts: 0 });
    await expect(e.store.addUnit(e.admin, { name: '某区人社局' })).rejects.toMatchObject({ code: 'conflict', field: 'name', zh: '已有名为「某区人社局」的单位' });
    await expect(e.store.addUnit(e.admin, { name: '  ' })).rejects.toMatchObject({ code: 'invalid', field: 'name' });
    await expect(e.store.addUnit(e.reviewer, { name: '别的单位' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await e.store.renameUnit(e.admin, u.id, { name: '某区人力资源和社会保障局' })).toMatchObject({ id: u.id, name: '某区人力资源和社会保障局' });
    await expect(e.store.renameUnit(e.admin, u.id, { name: '局宣教中心' })).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(e.store.renameUnit(e.admin, 9999, { name: '无' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await e.store.renameUnit(null, '某区人力资源和社会保障局', { name: '某区人社局' })).toMatchObject({ id: u.id, name: '某区人社局' });
    const units = await e.store.listUnits();
    expect(units.find((x) => x.name === '局宣教中心')).toMatchObject({ accounts: 2 });
    expect(audit(e, 'unit.rename').map((a) => [a.actorId, a.data])).toEqual([
      [e.admin.id, { from: '某区人社局', to: '某区人力资源和社会保障局' }],
      [null, { from: '某区人力资源和社会保障局', to: '某区人社局' }],
    ]);
  });
});

describe('accounts', () => {
  it('adds an account joining now; refuses a duplicate name, an unknown unit or platform, and non-admins', async () => {
    const e = await env();
    await e.store.addUnit(e.admin, { name: '某区人社局' });
    const acc = await e.store.addAccount(e.admin, { name: '某区人社视频号', platform: 'other', unit: '某区人社局' });
    expect(acc).toMatchObject({ name: '某区人社视频号', platform: 'other', unit: '某区人社局', lead: false, joinedAt: now.toISOString(), retiredAt: null, settings: null });
    await expect(e.store.addAccount(e.admin, { name: '某区人社视频号', platform: 'other', unit: '某区人社局' })).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(e.store.addAccount(e.admin, { name: '新号', platform: 'other', unit: '不存在的单位' })).rejects.toMatchObject({ code: 'invalid', field: 'unit', zh: '没有名为「不存在的单位」的单位' });
    await expect(e.store.addAccount(e.admin, { name: '新号', platform: 'tiktok', unit: '某区人社局' })).rejects.toMatchObject({ code: 'invalid', field: 'platform' });
    await expect(e.store.addAccount(e.comp, { name: '新号', platform: 'other', unit: '某区人社局' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(audit(e, 'account.add')).toEqual([{ actorId: e.admin.id, data: { name: '某区人社视频号', platform: 'other', unit: '某区人社局', lead: false, joinedAt: now.toISOString() } }]);
  });

  it('renames, moves, sets lead, retires and reinstates, each audited; editors see their own accounts', async () => {
    const e = await env();
    await e.store.addAccount(e.admin, { name: '某区人社', platform: 'wechat', unit: '局宣教中心' });
    const editor = await e.mk('编辑', 'editor', ['某区人社']);
    expect((await e.store.renameAccount(e.admin, '某区人社', '某区人社发布')).name).toBe('某区人社发布');
    await expect(e.store.renameAccount(e.admin, '某区人社发布', '人社官微')).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(e.store.renameAccount(e.admin, '没有这个号', '随便')).rejects.toMatchObject({ code: 'not_found' });
    expect((await e.store.moveAccount(e.admin, '某区人社发布', '市社保中心')).unit).toBe('市社保中心');
    await expect(e.store.moveAccount(e.admin, '某区人社发布', '没有的单位')).rejects.toMatchObject({ code: 'invalid', field: 'unit' });
    expect((await e.store.updateAccount(e.admin, '某区人社发布', { lead: true })).lead).toBe(true);
    await expect(e.store.updateAccount(e.admin, '某区人社发布', {})).rejects.toMatchObject({ code: 'invalid' });
    await expect(e.store.updateAccount(editor, '某区人社发布', { lead: false })).rejects.toMatchObject({ code: 'forbidden' });

    // The editor follows the renamed account (by id), and sees only it.
    expect((await e.store.listAccountViews(editor)).map((a) => a.name)).toEqual(['某区人社发布']);
    expect((await e.store.listAccountViews(editor))[0]).not.toHaveProperty('settings');
    expect(await e.store.listAccounts(editor)).toEqual(['某区人社发布']);
    expect((await e.store.listAccountViews(e.reviewer)).length).toBe(9);

    now = new Date('2026-11-03T02:00:00Z');
    const retired = await e.store.retireAccount(e.admin, '某区人社发布');
    expect(retired.retiredAt).toBe(now.toISOString());
    await expect(e.store.retireAccount(e.admin, '某区人社发布')).rejects.toMatchObject({ code: 'conflict', field: 'retired' });
    expect(await e.store.listAccounts(editor)).toEqual([]);
    expect(await e.store.listAccountViews(e.admin)).not.toContainEqual(expect.objectContaining({ name: '某区人社发布' }));
    expect(await e.store.listAccountViews(e.admin, { includeRetired: true })).toContainEqual(expect.objectContaining({ name: '某区人社发布', retiredAt: now.toISOString() }));
    expect((await e.store.listUnits()).find((u) => u.name === '市社保中心')).toMatchObject({ accounts: 1, retiredAccounts: 1 });

    expect((await e.store.reinstateAccount(null, '某区人社发布')).retiredAt).toBeNull();
    await expect(e.store.reinstateAccount(e.admin, '某区人社发布')).rejects.toMatchObject({ code: 'conflict' });
    expect(await e.store.listAccounts(editor)).toEqual(['某区人社发布']);
    expect(audit(e, 'account.rename').map((a) => a.data)).toEqual([{ account: '某区人社', from: '某区人社', to: '某区人社发布' }]);
    expect(audit(e, 'account.move').map((a) => a.data)).toEqual([{ account: '某区人社发布', fromUnit: '局宣教中心', toUnit: '市社保中心' }]);
    expect(audit(e, 'account.retire')).toHaveLength(1);
    expect(audit(e, 'account.reinstate').map((a) => a.actorId)).toEqual([null]);
  });
});

describe('a retired account', () => {
  it('takes no new posts, while a post in flight can get a new version and be published, and its archive is still cleaned up', async () => {
    const e = await env();
    await e.store.addAccount(e.admin, { name: '某区人社', platform: 'wechat', unit: '局宣教中心' });
    const editor = await e.mk('编辑', 'editor', ['某区人社']);
    const published = await publishThrough(e.store, editor, e.reviewer, { account: '某区人社', body: '2026年职业技能竞赛报名截止时间为2026年12月1日，逾期不予受理。' });
    const inFlight = await e.store.submitPost(editor, { account: '某区人社', body: '在途稿件第一版' });
    const approved = await e.store.submitPost(editor, { account: '某区人社', body: '已通过待发布的稿件' });
    const versionOf = (id: string) => e.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ? ORDER BY version DESC LIMIT 1').pluck().get(id) as number;
    e.store.applyMachineReview(versionOf(approved.id), result());
    const [task] = await e.store.listTasks(e.reviewer, { postId: approved.id, limit: 1 });
    await e.store.decide(e.reviewer, task!.id, { decision: 'approve' });

    await e.store.retireAccount(e.admin, '某区人社');
    const refused = e.store.submitPost(editor, { account: '某区人社', body: '新稿件' });
    await expect(refused).rejects.toMatchObject({ code: 'conflict', field: 'account', zh: '账号「某区人社」已停用，不再接收新稿件' });
    await expect(e.store.submitPost(e.admin, { account: '某区人社', body: '管理员也不行' })).rejects.toMatchObject({ code: 'conflict', field: 'account' });

    // Work in flight finishes: a new version, and publishing an approved post.
    expect(await e.store.resubmitPost(editor, inFlight.id, { body: '在途稿件第二版' })).toMatchObject({ status: 'submitted', version: 2 });
    expect((await e.store.publish(editor, approved.id, { url: 'https://mp.weixin.qq.com/s/x' })).status).toBe('published');

    // The cleanup scan still covers its published archive.
    const cleanup = new CleanupService(e.db);
    const run = cleanup.startRun({ trigger: 'test', checks: ['deadline'], asOf: '2026-12-02' });
    await cleanup.waitIdle(30_000);
    expect(cleanup.run(run.id)).toMatchObject({ state: 'done', opened: 1 });
    expect((await e.store.listCleanupTasks(e.comp, { kind: 'deadline', limit: 5 })).map((t) => t.postId)).toEqual([published]);
  });
});

describe('freshness of an account that never published', () => {
  it('counts from joining: warning after 10 days, failing after 14, one alert per level; retired accounts are left out', async () => {
    const e = await env();
    now = new Date('2026-11-01T02:00:00Z');
    await e.store.addAccount(e.admin, { name: '沉默的新号', platform: 'weibo', unit: '局宣教中心' });
    const of = (day: string) => e.store.accountFreshness(day).find((f) => f.account === '沉默的新号');
    expect(of('2026-11-10')).toMatchObject({ lastPublishedAt: null, joinedAt: now.toISOString(), since: now.toISOString(), days: 9, level: 'ok' });
    expect(of('2026-11-11')).toMatchObject({ days: 10, level: 'warning' });
    expect(of('2026-11-15')).toMatchObject({ days: 14, level: 'failing' });
    expect(of('2026-10-20')).toMatchObject({ days: 0, level: 'ok' });
    const raised = (day: string) => e.store.raiseFreshnessAlerts(day).filter((f) => f.account === '沉默的新号').map((f) => f.level);
    expect(raised('2026-11-11')).toEqual(['warning']);
    expect(raised('2026-11-12')).toEqual([]);
    expect(raised('2026-11-15')).toEqual(['failing']);
    expect(raised('2026-11-16')).toEqual([]);
    const id = e.db.$client.prepare("SELECT id FROM accounts WHERE name = '沉默的新号'").pluck().get();
    expect(e.db.$client.prepare('SELECT level, since FROM freshness_alerts WHERE account_id = ? ORDER BY id').all(id)).toEqual([
      { level: 'warning', since: '' },
      { level: 'failing', since: '' },
    ]);

    await e.store.retireAccount(e.admin, '沉默的新号');
    expect(of('2026-11-30')).toBeUndefined();
    expect(raised('2026-12-30')).toEqual([]);
    now = new Date('2026-11-02T02:00:00Z');
  });
});
