/**
 * Signing in to the reviewer workspace, and the admins' user page.
 *
 * Sign-in exchanges an API token (from `lastgate user add` or the user page)
 * for a server-side session: the cookie carries a random session id (HttpOnly,
 * SameSite=Strict, Path=/ui), the database only its sha256, and the token
 * itself is never kept. Every other page requires a live session
 * (requireSession): one that expired, was ended by signing out, or whose user
 * was disabled or had their token rotated, leads back to the sign-in page.
 * Forms are same-origin only.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Store } from '../service/programs.js';
import { DomainError } from '../store/errors.js';
import type { Role } from '../review/transitions.js';
import { Layout } from '../ui/layout.js';
import { Flash, LocalTime, redirectWith, type UiEnv } from '../ui/components.js';
import type { IssuedToken, UserSummary } from './programs.js';

const COOKIE = 'lastgate_session';

const ROLES: readonly Role[] = ['editor', 'reviewer', 'compliance', 'admin'];
const ROLE_LABEL: Record<Role, string> = { editor: '编辑', reviewer: '审核员', compliance: '合规审查', admin: '管理员' };

const secure = (c: Context) => c.req.url.startsWith('https:');

/** A form post from another origin is refused (the cookie is SameSite=Strict as well). */
function crossSite(c: Context): boolean {
  const origin = c.req.header('origin');
  return !!origin && origin !== new URL(c.req.url).origin;
}

/** The sign-in and sign-out pages. */
export function loginPages(store: Pick<Store, 'startSession' | 'endSession'>) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/login', (c) =>
    c.html(
      <Layout title="登录" actor={null}>
        <h1>登录</h1>
        <Flash c={c} />
        <form method="post" action="/ui/login">
          <p>
            <label>
              访问令牌（由管理员在“用户管理”页或通过 <code>lastgate user add</code> 发放）
              <br />
              <input type="password" name="token" autocomplete="off" size={60} autofocus />
            </label>
          </p>
          <button class="primary" type="submit">
            登录
          </button>
        </form>
      </Layout>,
    ),
  );

  ui.post('/ui/login', async (c) => {
    if (crossSite(c)) return c.text('cross-site request refused', 403);
    const form = await c.req.parseBody();
    const token = String(form.token ?? '').trim();
    const session = token ? await store.startSession(token) : null;
    // One message whatever was wrong: the page does not tell whether a token exists.
    if (!session) return redirectWith(c, '/ui/login', 'err', '令牌无效、已过期或已停用');
    const maxAge = Math.max(1, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
    setCookie(c, COOKIE, session.sessionId, { httpOnly: true, sameSite: 'Strict', path: '/ui', secure: secure(c), maxAge });
    return c.redirect('/ui', 303);
  });

  ui.post('/ui/logout', async (c) => {
    if (crossSite(c)) return c.text('cross-site request refused', 403);
    const id = getCookie(c, COOKIE);
    if (id) await store.endSession(id);
    deleteCookie(c, COOKIE, { path: '/ui', secure: secure(c) });
    return redirectWith(c, '/ui/login', 'msg', '已退出登录');
  });

  // Signing out changes state, so it is a POST (the header's button); a GET (an old link) only offers it.
  ui.get('/ui/logout', (c) =>
    c.html(
      <Layout title="退出登录" actor={null}>
        <h1>退出登录</h1>
        <form method="post" action="/ui/logout">
          <button class="primary" type="submit">
            确认退出
          </button>{' '}
          <a href="/ui">返回工作台</a>
        </form>
      </Layout>,
    ),
  );

  return ui;
}

/** Signs the request in from the session cookie (else to the sign-in page) and refuses cross-site form posts. */
export function requireSession(store: Pick<Store, 'sessionActor'>): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (c.req.path === '/ui/login') return next();
    const id = getCookie(c, COOKIE);
    const actor = id ? await store.sessionActor(id) : null;
    if (!actor) {
      if (id) deleteCookie(c, COOKIE, { path: '/ui', secure: secure(c) });
      return c.redirect('/ui/login', 303);
    }
    // Forms are same-origin only: the cookie is SameSite=Strict and cross-site POSTs are refused here too.
    if (c.req.method === 'POST' && crossSite(c)) return c.text('cross-site request refused', 403);
    c.set('actor', actor);
    await next();
  };
}

function userId(c: Context): number {
  const raw = c.req.param('id') ?? '';
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) throw new DomainError('not_found', `no user ${raw}`, undefined, '用户不存在');
  return Number(raw);
}

/** An optional whole number of days from a form field; the program checks its range. */
function days(v: unknown): number | undefined {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) return undefined;
  if (!/^\d{1,6}$/.test(s)) throw new DomainError('invalid', 'expiresInDays must be a whole number', 'expiresInDays', '有效天数须为整数');
  return Number(s);
}

function TokenBox({ issued, what }: { issued: IssuedToken; what: string }) {
  return (
    <div id="issued" class="post">
      <b>
        {what}：#{issued.id} {issued.name}（{ROLE_LABEL[issued.role]}）
      </b>
      <br />
      访问令牌只显示这一次，请现在复制并当面或通过安全渠道交给本人：
      <br />
      <code id="issuedToken">{issued.token}</code>
      <br />
      <span class="muted">{issued.tokenExpiresAt ? <>令牌到期：<LocalTime at={issued.tokenExpiresAt} /></> : '令牌长期有效'}</span>
    </div>
  );
}

function state(u: UserSummary, now: string) {
  if (u.disabled) return <span class="badge block">已停用</span>;
  if (u.tokenExpiresAt && u.tokenExpiresAt <= now) return <span class="badge review">令牌已过期</span>;
  return <span class="badge pass">在用</span>;
}

/**
 * Forms that issue a token answer with the token page itself (it must not sit
 * in a redirect's cookie or URL), so a browser reload would post them again
 * and add a second user or rotate twice. Each such form carries a one-time id;
 * a form posted again within the window is answered with what the first post
 * did instead of doing it again.
 */
class OnceForms {
  private readonly done = new Map<string, { at: number; what: string }>();
  constructor(private readonly windowMs = 30 * 60 * 1000) {}
  /** A fresh id for a rendered form. */
  issue(): string {
    return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  }
  /** What an earlier post of this form did, or null when this is its first post. */
  seen(id: unknown): string | null {
    const now = Date.now();
    for (const [k, v] of this.done) if (now - v.at > this.windowMs) this.done.delete(k);
    return typeof id === 'string' ? (this.done.get(id)?.what ?? null) : null;
  }
  remember(id: unknown, what: string) {
    if (typeof id === 'string' && /^[A-Za-z0-9_-]{16}$/.test(id)) this.done.set(id, { at: Date.now(), what });
  }
}

/** The admins' user page: the list, adding a user, disabling, enabling, new tokens. */
export function userAdminPages(store: Pick<Store, 'listUsers' | 'addUser' | 'disableUser' | 'enableUser' | 'rotateToken' | 'listAccounts'>) {
  const ui = new Hono<UiEnv>();
  const once = new OnceForms();

  ui.use('/ui/admin/users', adminOnly);
  ui.use('/ui/admin/users/*', adminOnly);

  const page = async (c: Context<UiEnv>, issued?: { token: IssuedToken; what: string }) => {
    const actor = c.get('actor');
    const [list, accountNames] = await Promise.all([store.listUsers(actor), store.listAccounts(actor)]);
    const now = new Date().toISOString();
    // A page that shows a token is not kept by the browser or any cache.
    if (issued) c.header('Cache-Control', 'no-store');
    return c.html(
      <Layout title="用户管理" actor={actor}>
        <h1>用户管理</h1>
        <Flash c={c} />
        {issued ? <TokenBox issued={issued.token} what={issued.what} /> : null}
        <table id="users">
          <thead>
            <tr>
              <th>编号</th>
              <th>姓名</th>
              <th>角色</th>
              <th>账号</th>
              <th>状态</th>
              <th>令牌到期</th>
              <th>创建时间</th>
              <th>操作</th>
            </tr>
          </thead>
          <tbody>
            {list.map((u) => (
              <tr id={`user-${u.id}`}>
                <td>#{u.id}</td>
                <td>{u.name}</td>
                <td>{ROLE_LABEL[u.role]}</td>
                <td>{u.accounts.length ? u.accounts.join('、') : <span class="muted">—</span>}</td>
                <td class="state">{state(u, now)}</td>
                <td>{u.tokenExpiresAt ? <LocalTime at={u.tokenExpiresAt} /> : <span class="muted">长期</span>}</td>
                <td>
                  <LocalTime at={u.createdAt} />
                </td>
                <td>
                  {u.id === actor.id ? (
                    <span class="muted">（本人）</span>
                  ) : u.disabled ? (
                    <form class="inline" method="post" action={`/ui/admin/users/${u.id}/enable`}>
                      <button type="submit" name="enable">
                        启用
                      </button>
                    </form>
                  ) : (
                    <form class="inline" method="post" action={`/ui/admin/users/${u.id}/disable`}>
                      <button type="submit" class="danger" name="disable">
                        停用
                      </button>
                    </form>
                  )}{' '}
                  <form class="inline" method="post" action={`/ui/admin/users/${u.id}/rotate`}>
                    <input type="hidden" name="once" value={once.issue()} />
                    <input type="number" name="expiresInDays" min={1} max={3650} placeholder="有效天数" aria-label="新令牌有效天数（留空为长期）" class="days" />
                    <button type="submit" name="rotate">
                      更换令牌
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>添加用户</h2>
        <form id="addUser" method="post" action="/ui/admin/users">
          <input type="hidden" name="once" value={once.issue()} />
          <p>
            <label>
              姓名 <input name="name" required maxlength={100} />
            </label>{' '}
            <label>
              角色{' '}
              <select name="role">
                {ROLES.map((r) => (
                  <option value={r}>{ROLE_LABEL[r]}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              令牌有效天数 <input type="number" name="expiresInDays" min={1} max={3650} placeholder="留空为长期" class="days" />
            </label>
          </p>
          <p>
            账号（编辑只能向所选账号投稿）：
            {accountNames.map((a) => (
              <label>
                {' '}
                <input type="checkbox" name="account" value={a} /> {a}
              </label>
            ))}
          </p>
          <button class="primary" type="submit">
            添加
          </button>
        </form>
      </Layout>,
    );
  };

  ui.get('/ui/admin/users', (c) => page(c));

  ui.post('/ui/admin/users', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const again = once.seen(form.once);
    if (again) return redirectWith(c, '/ui/admin/users', 'err', `此表单已提交过：${again}。令牌只在第一次提交时显示；如已遗失，请对该用户点“更换令牌”`);
    const role = String(form.role ?? '');
    if (!(ROLES as readonly string[]).includes(role)) throw new DomainError('invalid', 'unknown role', 'role', '请选择角色');
    const account = form.account === undefined ? [] : ([] as unknown[]).concat(form.account).map(String);
    const issued = await store.addUser({ name: String(form.name ?? ''), role: role as Role, accounts: account, ...optionalDays(form.expiresInDays) }, c.get('actor'));
    once.remember(form.once, `已创建 #${issued.id} ${issued.name}`);
    return page(c, { token: issued, what: '用户已创建' });
  });

  ui.post('/ui/admin/users/:id/disable', async (c) => {
    const u = await store.disableUser(c.get('actor'), userId(c));
    return redirectWith(c, '/ui/admin/users', 'msg', `已停用 #${u.id} ${u.name}：其令牌和登录会话已立即失效`);
  });

  ui.post('/ui/admin/users/:id/enable', async (c) => {
    const u = await store.enableUser(c.get('actor'), userId(c));
    return redirectWith(c, '/ui/admin/users', 'msg', `已启用 #${u.id} ${u.name}`);
  });

  ui.post('/ui/admin/users/:id/rotate', async (c) => {
    const form = await c.req.parseBody();
    const again = once.seen(form.once);
    if (again) return redirectWith(c, '/ui/admin/users', 'err', `此表单已提交过：${again}。令牌只在第一次提交时显示；如已遗失，请再点一次“更换令牌”`);
    const issued = await store.rotateToken(c.get('actor'), userId(c), optionalDays(form.expiresInDays));
    once.remember(form.once, `已为 #${issued.id} ${issued.name} 更换令牌`);
    return page(c, { token: issued, what: '令牌已更换，旧令牌和登录会话已失效' });
  });

  return ui;
}

function optionalDays(v: unknown): { expiresInDays?: number } {
  const d = days(Array.isArray(v) ? v[0] : v);
  return d === undefined ? {} : { expiresInDays: d };
}

const adminOnly: MiddlewareHandler<UiEnv> = async (c, next) => {
  if (c.get('actor').role !== 'admin') return c.html(<Layout title="无权访问" actor={c.get('actor')}><h1>无权访问</h1><p>只有管理员可以管理用户。</p></Layout>, 403);
  await next();
};
