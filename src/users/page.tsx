/**
 * Signing in to the reviewer workspace with an API token (from `lastgate user
 * add`), kept in an HttpOnly, SameSite=Strict cookie; every other page
 * requires it (requireSession), and its forms are same-origin only.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Store } from '../service/programs.js';
import { Layout } from '../ui/layout.js';
import { Flash, redirectWith, type UiEnv } from '../ui/components.js';

const COOKIE = 'lastgate_token';

/** The sign-in and sign-out pages. */
export function loginPages(store: Pick<Store, 'authenticate'>) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/login', (c) =>
    c.html(
      <Layout title="登录" actor={null}>
        <h1>登录</h1>
        <Flash c={c} />
        <form method="post" action="/ui/login">
          <p>
            <label>
              访问令牌（由管理员通过 <code>lastgate user add</code> 发放）
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
    const form = await c.req.parseBody();
    const token = String(form.token ?? '').trim();
    const actor = token ? await store.authenticate(token) : null;
    if (!actor) return redirectWith(c, '/ui/login', 'err', '令牌无效或已停用');
    setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/ui', secure: c.req.url.startsWith('https:') });
    return c.redirect('/ui', 303);
  });

  ui.get('/ui/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/ui' });
    return c.redirect('/ui/login', 303);
  });

  return ui;
}

/** Signs the request in from the cookie (else to the sign-in page) and refuses cross-site form posts. */
export function requireSession(store: Pick<Store, 'authenticate'>): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (c.req.path === '/ui/login') return next();
    const token = getCookie(c, COOKIE);
    const actor = token ? await store.authenticate(token) : null;
    if (!actor) return c.redirect('/ui/login', 303);
    // Forms are same-origin only: the cookie is SameSite=Strict and cross-site POSTs are refused here too.
    if (c.req.method === 'POST') {
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(c.req.url).origin) return c.text('cross-site request refused', 403);
    }
    c.set('actor', actor);
    await next();
  };
}
