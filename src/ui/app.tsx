/**
 * The reviewer workspace (server-rendered, Simplified Chinese), mounted on the
 * HTTP app under /ui. It signs in with an API token (users/page.tsx) and calls
 * the same Store as the JSON API, so every rule (claims, roles, separation of
 * duties, approvals) holds here exactly as there. Each concept's pages live in
 * its folder (page.tsx); the layout and shared components here.
 */
import { Hono } from 'hono';
import { DomainError } from '../store/errors.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from '../cleanup/service.js';
import { loginPages, requireSession, userAdminPages } from '../users/page.js';
import { reviewPages } from '../review/page.js';
import { postPages } from '../posts/page.js';
import { cleanupPages } from '../cleanup/page.js';
import { rulePages } from '../rules/page.js';
import { accountPages } from '../accounts/page.js';
import { redirectWith, takeFlash, uiMessage, type UiEnv } from './components.js';
import { storageFault } from '../http/storage-errors.js';

/** Mounts the workspace on `app` under /ui. */
export function mountUi(app: Hono<any>, store: Store, cleanup?: CleanupApi): void {
  // A sub-app of its own, so its error handler (redirect with a message) never answers for the JSON API.
  const ui = new Hono<UiEnv>();

  ui.get('/', (c) => c.redirect('/ui', 302));
  // '/ui/*' matches /ui itself too.
  ui.use('/ui/*', takeFlash);
  ui.route('/', loginPages(store));
  ui.use('/ui/*', requireSession(store));

  ui.onError((err, c) => {
    const fault = storageFault(err);
    if (err instanceof DomainError || fault) {
      const back = c.req.header('referer');
      const path = back ? new URL(back).pathname : '/ui';
      if (fault) console.error(`lastgate: storage fault on ${c.req.method} ${c.req.path}: ${(err as Error).message}`);
      return redirectWith(c, path, 'err', fault ? fault.error : uiMessage(err as DomainError));
    }
    throw err;
  });

  ui.get('/ui', (c) => {
    const a = c.get('actor');
    const home = a.role === 'reviewer' || a.role === 'compliance' ? '/ui/queue' : '/ui/posts';
    // A message meant for /ui (an error without a page to go back to) goes on to the home page.
    const f = c.get('flash');
    return f ? redirectWith(c, home, f.kind, f.text) : c.redirect(home, 302);
  });

  ui.route('/', reviewPages(store));
  ui.route('/', postPages(store));
  ui.route('/', cleanupPages(store, cleanup));
  ui.route('/', rulePages(store));
  ui.route('/', accountPages(store));
  ui.route('/', userAdminPages(store));

  app.route('/', ui);
}
