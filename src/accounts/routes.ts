/** The accounts API: an account's publish window and publisher, and how fresh every account is. */
import { createRoute, z } from '@hono/zod-openapi';
import { allow, dateField, errors, json, jsonBody, router, security } from '../http/openapi.js';
import { today } from '../review/dates.js';
import type { Store } from '../service/programs.js';

const routes = {
  accountSettings: createRoute({ middleware: allow(['admin'], 'change account settings'),
    method: 'put',
    path: '/api/accounts/{name}/settings',
    security,
    request: {
      params: z.object({ name: z.string().min(1) }),
      body: jsonBody(
        z
          .object({
            windowStart: z.string().nullable().optional(),
            windowEnd: z.string().nullable().optional(),
            windowDays: z.string().nullable().optional(),
            publisher: z.enum(['manual', 'webhook']).optional(),
            publisherUrl: z.string().url().nullable().optional(),
          })
          .strict(),
      ),
    },
    responses: { 200: json(z.object({ account: z.string() }).passthrough()), ...errors(400, 401, 403, 404) },
  }),
  freshness: createRoute({
    method: 'get',
    path: '/api/accounts/freshness',
    security,
    request: { query: z.object({ date: dateField.optional() }) },
    responses: { 200: json(z.object({ date: z.string(), accounts: z.array(z.object({ account: z.string(), days: z.number().nullable(), level: z.string(), lastPublishedAt: z.string().nullable() }).passthrough()) })), ...errors(400, 401) },
  }),
};

export function accountRoutes(store: Pick<Store, 'setAccountSettings' | 'accountFreshness'>) {
  const app = router();

  app.openapi(routes.accountSettings, async (c) => c.json((await store.setAccountSettings(c.get('actor'), c.req.valid('param').name, c.req.valid('json'))) as { account: string }, 200));
  app.openapi(routes.freshness, async (c) => {
    const date = c.req.valid('query').date ?? today();
    return c.json({ date, accounts: await store.accountFreshness(date) }, 200);
  });

  return app;
}
