/** The webhooks API: register a signed webhook. */
import { createRoute, z } from '@hono/zod-openapi';
import { allow, errors, json, jsonBody, router, security } from '../http/openapi.js';
import type { Store } from '../service/programs.js';

const addWebhook = createRoute({ summary: 'Register a signed webhook', description: 'Post state changes (and account freshness alerts) of one account, or of every account without `account`, are delivered signed, retried with backoff.', tags: ['webhooks'], middleware: allow(['admin', 'compliance'], 'manage webhooks'),
  method: 'post',
  path: '/api/webhooks',
  security,
  request: { body: jsonBody(z.object({ account: z.string().optional(), url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'url must be http(s)') }).strict()) },
  responses: { 201: json(z.object({ id: z.number(), secret: z.string() }), 'created; the secret signs every delivery (HMAC-SHA256) and is shown once'), ...errors(400, 401, 403) },
});

export function webhookRoutes(store: Pick<Store, 'addWebhook'>) {
  const app = router();
  app.openapi(addWebhook, async (c) => c.json(await store.addWebhook(c.get('actor'), c.req.valid('json')), 201));
  return app;
}
