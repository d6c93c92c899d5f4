/**
 * The admin's page of the matrix (/ui/admin/accounts): accounts grouped by
 * unit, with platform, joining date, state and freshness; forms to add,
 * rename, move, retire and reinstate accounts and to add and rename units.
 * Refusals are shown on this page.
 */
import { Hono, type Context } from 'hono';
import type { Store } from '../service/programs.js';
import { today } from '../review/dates.js';
import { DomainError } from '../store/errors.js';
import { Layout } from '../ui/layout.js';
import { Flash, LocalTime, redirectWith, uiMessage, type UiEnv } from '../ui/components.js';
import { PLATFORMS } from './programs.js';

const PAGE = '/ui/admin/accounts';
export const PLATFORM_LABEL: Record<string, string> = { wechat: '微信公众号', weibo: '微博', website: '网站', other: '其他（视频号、抖音等）' };
const LEVEL_LABEL: Record<string, string> = { ok: '正常', warning: '预警', failing: '不合格' };

type AccountPagesStore = Pick<Store, 'listAccountViews' | 'listUnits' | 'accountFreshness' | 'addAccount' | 'updateAccount' | 'addUnit' | 'renameUnit'>;

function requireAdmin(c: Context<UiEnv>) {
  const actor = c.get('actor');
  if (actor.role !== 'admin') throw new DomainError('forbidden', 'only an admin may manage accounts', undefined, '只有管理员可以管理账号和单位');
  return actor;
}

export function accountPages(store: AccountPagesStore) {
  const ui = new Hono<UiEnv>();

  /** Runs a change and comes back to the page with its result or its refusal. */
  const act = (fn: (c: Context<UiEnv>, form: Record<string, string>) => Promise<string>) => async (c: Context<UiEnv>) => {
    requireAdmin(c);
    const raw = await c.req.parseBody();
    const form = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    try {
      return redirectWith(c, PAGE, 'msg', await fn(c, form));
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, PAGE, 'err', uiMessage(err));
      throw err;
    }
  };

  ui.get(PAGE, async (c) => {
    const actor = requireAdmin(c);
    const accounts = await store.listAccountViews(actor, { includeRetired: true });
    const units = await store.listUnits();
    const fresh = new Map((await store.accountFreshness(today())).map((f) => [f.accountId, f]));
    const groups = [...units.map((u) => ({ id: u.id as number | null, name: u.name })), { id: null, name: '未指定单位' }]
      .map((u) => ({ ...u, accounts: accounts.filter((a) => a.unitId === u.id) }))
      .filter((g) => g.id !== null || g.accounts.length > 0);
    return c.html(
      <Layout title="账号与单位" actor={actor}>
        <h1>账号与单位</h1>
        <Flash c={c} />
        {groups.map((g) => (
          <section class="unit" data-unit={g.name}>
            <h3>
              {g.name}
              {g.id !== null ? (
                <form method="post" action="/ui/admin/units/rename" class="inline">
                  {' '}
                  <input type="hidden" name="id" value={String(g.id)} />
                  <input name="name" value={g.name} size={16} aria-label={`${g.name}的新名称`} /> <button type="submit">改名</button>
                </form>
              ) : null}
            </h3>
            {g.accounts.length === 0 ? <p class="muted">暂无账号。</p> : null}
            {g.accounts.length > 0 ? (
              <table>
                <thead>
                  <tr>
                    <th>账号</th>
                    <th>平台</th>
                    <th>加入矩阵</th>
                    <th>状态</th>
                    <th>更新情况</th>
                    <th>操作</th>
                  </tr>
                </thead>
                <tbody>
                  {g.accounts.map((a) => {
                    const f = fresh.get(a.id);
                    return (
                      <tr data-account={a.name}>
                        <td>
                          {a.name}
                          {a.lead ? <span class="badge">牵头</span> : null}
                        </td>
                        <td>{PLATFORM_LABEL[a.platform] ?? a.platform}</td>
                        <td>
                          <LocalTime at={a.joinedAt} />
                        </td>
                        <td class="state">
                          {a.retiredAt ? (
                            <>
                              已停用（<LocalTime at={a.retiredAt} />）
                            </>
                          ) : (
                            '在用'
                          )}
                        </td>
                        <td>
                          {a.retiredAt || !f
                            ? '—'
                            : `${LEVEL_LABEL[f.level]}：${f.lastPublishedAt ? `${f.days} 天未更新` : `从未发布（加入矩阵 ${f.days ?? 0} 天）`}`}
                        </td>
                        <td>
                          <form method="post" action="/ui/admin/accounts/rename" class="inline">
                            <input type="hidden" name="account" value={a.name} />
                            <input name="name" value={a.name} size={12} aria-label={`${a.name}的新名称`} /> <button type="submit">改名</button>
                          </form>{' '}
                          <form method="post" action="/ui/admin/accounts/move" class="inline">
                            <input type="hidden" name="account" value={a.name} />
                            <select name="unit" aria-label={`${a.name}的单位`}>
                              {units.map((u) => (
                                <option value={u.name} selected={u.id === a.unitId}>
                                  {u.name}
                                </option>
                              ))}
                            </select>{' '}
                            <button type="submit">调整单位</button>
                          </form>{' '}
                          <form method="post" action={a.retiredAt ? '/ui/admin/accounts/reinstate' : '/ui/admin/accounts/retire'} class="inline">
                            <input type="hidden" name="account" value={a.name} />
                            {a.retiredAt ? <button type="submit">恢复使用</button> : <button class="danger" type="submit">停用</button>}
                          </form>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ) : null}
          </section>
        ))}
        <h3>添加账号</h3>
        <form method="post" action="/ui/admin/accounts/add" id="addAccount">
          <label>
            名称 <input name="name" size={20} required maxlength={100} />
          </label>{' '}
          <label>
            平台{' '}
            <select name="platform">
              {PLATFORMS.map((p) => (
                <option value={p}>{PLATFORM_LABEL[p]}</option>
              ))}
            </select>
          </label>{' '}
          <label>
            单位{' '}
            <select name="unit">
              {units.map((u) => (
                <option value={u.name}>{u.name}</option>
              ))}
            </select>
          </label>{' '}
          <label>
            <input type="checkbox" name="lead" value="1" /> 牵头账号
          </label>{' '}
          <button class="primary" type="submit">
            添加
          </button>
        </form>
        <h3>添加单位</h3>
        <form method="post" action="/ui/admin/units/add" id="addUnit">
          <label>
            单位名称 <input name="name" size={20} required maxlength={100} />
          </label>{' '}
          <button type="submit">添加</button>
        </form>
        <p class="muted">停用的账号不再接收新稿件，也不再计入更新情况；已在审核中的稿件可继续审核、发布，已发布内容仍参加动态清理。</p>
      </Layout>,
    );
  });

  ui.post(
    '/ui/admin/accounts/add',
    act(async (c, f) => {
      const a = await store.addAccount(c.get('actor'), { name: f.name ?? '', platform: f.platform ?? '', unit: f.unit ?? '', lead: f.lead === '1' });
      return `已添加账号「${a.name}」`;
    }),
  );
  ui.post(
    '/ui/admin/accounts/rename',
    act(async (c, f) => `已改名为「${(await store.updateAccount(c.get('actor'), f.account ?? '', { name: f.name ?? '' })).name}」`),
  );
  ui.post(
    '/ui/admin/accounts/move',
    act(async (c, f) => {
      const a = await store.updateAccount(c.get('actor'), f.account ?? '', { unit: f.unit ?? '' });
      return `「${a.name}」现属${a.unit}`;
    }),
  );
  ui.post(
    '/ui/admin/accounts/retire',
    act(async (c, f) => `已停用「${(await store.updateAccount(c.get('actor'), f.account ?? '', { retired: true })).name}」，不再接收新稿件`),
  );
  ui.post(
    '/ui/admin/accounts/reinstate',
    act(async (c, f) => `已恢复使用「${(await store.updateAccount(c.get('actor'), f.account ?? '', { retired: false })).name}」`),
  );
  ui.post(
    '/ui/admin/units/add',
    act(async (c, f) => `已添加单位「${(await store.addUnit(c.get('actor'), { name: f.name ?? '' })).name}」`),
  );
  ui.post(
    '/ui/admin/units/rename',
    act(async (c, f) => {
      const id = /^[1-9][0-9]{0,14}$/.test(f.id ?? '') ? Number(f.id) : 0;
      return `单位已改名为「${(await store.renameUnit(c.get('actor'), id, { name: f.name ?? '' })).name}」`;
    }),
  );

  return ui;
}
