/**
 * The HTTP API (Hono + zod-openapi): the bearer-token check, error mapping and
 * /openapi.json here; the routes in each concept's routes.ts, mounted with
 * `app.route()`. Every input is validated by a zod schema that also documents
 * it at /openapi.json. The app depends only on the Store type and Web APIs,
 * never on Node modules, so another runtime can serve it with another store
 * adapter.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { DomainError, HTTP_STATUS } from '../store/errors.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { RulesApi } from '../rules/admin.js';
import { userRoutes } from '../users/routes.js';
import { postRoutes } from '../posts/routes.js';
import { reviewRoutes } from '../review/routes.js';
import { publishRoutes } from '../publish/routes.js';
import { accountRoutes } from '../accounts/routes.js';
import { unitRoutes } from '../units/routes.js';
import { policyRoutes } from '../policy/routes.js';
import { cleanupRoutes } from '../cleanup/routes.js';
import { ruleRoutes } from '../rules/routes.js';
import { settingsRoutes } from '../settings/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { mountUi } from '../ui/app.js';
import { errorResponse, router, type ApiEnv } from './openapi.js';
import { securityHeaders } from './security-headers.js';
import { storageFault } from './storage-errors.js';
import { checkResponses, type OpenApiDoc } from './response-check.js';

export interface AppOptions {
  store: Store;
  /** Cleanup runs over the published archive; without it the /api/cleanup/run routes answer 404. */
  cleanup?: CleanupApi;
  /** Rule management (compliance); without it the /api/rules routes answer 404. */
  rules?: RulesApi;
  /** Extra routes (e.g. the reviewer UI) mounted on the same app. */
  extend?: (app: OpenAPIHono<ApiEnv>) => void;
  /** What /readyz reports (the server's queue and database); without it, ready whenever serving. */
  ready?: () => { ok: boolean } & Record<string, unknown>;
  /** Answer 500 when a JSON response departs from /openapi.json (response-check.ts); the test suite turns it on. */
  checkResponses?: boolean;
}

const DOC = { openapi: '3.1.0', info: { title: 'lastgate', version: '0.1.0', description: 'Pre-publication review API: submit, machine review, human review, publish.' } };

export function createApp({ store, cleanup, rules, extend, ready, checkResponses: checking }: AppOptions) {
  const app = router();

  app.onError((err, c) => {
    if (err instanceof DomainError) return errorResponse(c, HTTP_STATUS[err.code], err.message, err.field);
    if (err instanceof HTTPException) {
      const msg = err.message || 'bad request';
      return errorResponse(c, err.status as 400, /json/i.test(msg) ? `malformed JSON body: ${msg}` : msg);
    }
    const fault = storageFault(err);
    if (fault) {
      console.error(`lastgate: storage fault on ${c.req.method} ${c.req.path}: ${(err as Error).message}`);
      if (fault.retryAfter) c.header('Retry-After', String(fault.retryAfter));
      return c.json({ error: fault.error }, fault.status);
    }
    console.error(err);
    return c.json({ error: 'internal error' }, 500);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.use('*', securityHeaders);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  // Liveness: answers without touching the database or the queue.
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Readiness: 503 with what is degraded (the queue's Redis down, the database unreadable).
  app.get('/readyz', (c) => {
    const r = ready?.() ?? { ok: true };
    return c.json(r, r.ok ? 200 : 503);
  });
  app.doc31('/openapi.json', DOC);
  if (checking) app.use('/api/*', checkResponses(() => app.getOpenAPI31Document(DOC) as OpenApiDoc));

  // Far above any valid post (50,000 characters even \u-escaped), so only abuse is cut off here.
  app.use('/api/*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => errorResponse(c, 413, 'request body too large (limit 2 MiB)') }));
  app.use('/api/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return errorResponse(c, 401, 'missing bearer token (Authorization: Bearer TOKEN)');
    const actor = await store.authenticate(m[1]!);
    if (!actor) return errorResponse(c, 401, 'invalid or disabled token');
    c.set('actor', actor);
    await next();
  });

  app.route('/', userRoutes(store));
  app.route('/', postRoutes(store));
  app.route('/', reviewRoutes(store));
  app.route('/', publishRoutes(store));
  app.route('/', accountRoutes(store));
  app.route('/', unitRoutes(store));
  app.route('/', policyRoutes(store, cleanup));
  app.route('/', cleanupRoutes(store, cleanup));
  app.route('/', ruleRoutes(store, rules, cleanup));
  app.route('/', settingsRoutes(store));
  app.route('/', webhookRoutes(store));

  mountUi(app, store, cleanup);
  extend?.(app);
  return app;
}

export type App = ReturnType<typeof createApp>;
