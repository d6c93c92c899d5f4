/**
 * The accounts API: the accounts of the matrix (list; add, rename, move,
 * retire, reinstate: admin), an account's publish window and publisher, and
 * how fresh every account in use is.
 *
 * `GET /api/accounts`: everyone signed in; an editor sees their own accounts,
 * everyone else all of them; admins also get each account's publish settings.
 * Retired accounts are left out unless `includeRetired=true` (for every role,
 * admins included, so the default answer is always "the accounts in use").
 */
import { createRoute, z } from '@hono/zod-openapi';
import { allow, dateField, errors, json, jsonBody, router, security } from '../http/openapi.js';
import { today } from '../review/dates.js';
import type { Store } from '../service/programs.js';
import { PLATFORMS } from './programs.js';

const tags = ['accounts'];
const NameParam = z.object({ name: z.string().min(1).max(100).openapi({ param: { name: 'name', in: 'path' }, example: '人社官微' }) });

const Settings = z
  .object({ windowStart: z.string().nullable(), windowEnd: z.string().nullable(), windowDays: z.string().nullable(), publisher: z.enum(['manual', 'webhook']), publisherUrl: z.string().nullable() })
  .openapi('AccountSettingsSummary');

const Account = z
  .object({
    id: z.number().int(),
    name: z.string(),
    platform: z.enum(PLATFORMS),
    unit: z.string().nullable(),
    unitId: z.number().int().nullable(),
    lead: z.boolean(),
    joinedAt: z.string().nullable().openapi({ description: 'When the account joined the matrix; freshness of a never-published account counts from here.' }),
    retiredAt: z.string().nullable().openapi({ description: 'null: in use. A retired account takes no new posts.' }),
    settings: Settings.nullable().optional().openapi({ description: 'Admins only: publish window and publisher (null: none set).' }),
  })
  .openapi('Account');

const Freshness = z
  .object({
    account: z.string(),
    accountId: z.number().int(),
    lastPublishedAt: z.string().nullable().openapi({ description: 'null: never published.' }),
    joinedAt: z.string().nullable(),
    since: z.string().nullable().openapi({ description: 'What the lapse counts from: lastPublishedAt, else joinedAt.' }),
    days: z.number().int().nullable(),
    level: z.enum(['ok', 'warning', 'failing']),
  })
  .openapi('AccountFreshness');

const name = z.string().min(1).max(100);

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/accounts',
    summary: 'List the accounts of the matrix',
    description: 'Editors see their own accounts; retired accounts only with includeRetired=true.',
    tags,
    security,
    request: { query: z.object({ includeRetired: z.enum(['true', 'false']).optional() }) },
    responses: { 200: json(z.object({ accounts: z.array(Account) })), ...errors(400, 401) },
  }),
  add: createRoute({
    middleware: allow(['admin'], 'add accounts'),
    method: 'post',
    path: '/api/accounts',
    summary: 'Add an account to the matrix (admin)',
    description: 'The account joins now. 409 when the name is in use; 400 naming `unit` for an unknown unit.',
    tags,
    security,
    request: { body: jsonBody(z.object({ name, platform: z.enum(PLATFORMS), unit: name, lead: z.boolean().optional() }).strict()) },
    responses: { 201: json(Account, 'added'), ...errors(400, 401, 403, 409) },
  }),
  update: createRoute({
    middleware: allow(['admin'], 'change accounts'),
    method: 'patch',
    path: '/api/accounts/{name}',
    summary: 'Rename an account, move it to another unit, set lead, retire or reinstate it (admin)',
    description: '`retired: true` retires the account (no new posts; work in flight finishes), `false` reinstates it; 409 when it already is. All changes in one transaction.',
    tags,
    security,
    request: { params: NameParam, body: jsonBody(z.object({ name: name.optional(), unit: name.optional(), lead: z.boolean().optional(), retired: z.boolean().optional() }).strict()) },
    responses: { 200: json(Account), ...errors(400, 401, 403, 404, 409) },
  }),
  accountSettings: createRoute({
    middleware: allow(['admin'], 'change account settings'),
    method: 'put',
    path: '/api/accounts/{name}/settings',
    summary: "Set an account's publish window and publisher (admin)",
    tags,
    security,
    request: {
      params: NameParam,
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
    responses: {
      200: json(
        z.object({
          account: z.string(),
          windowStart: z.string().nullable(),
          windowEnd: z.string().nullable(),
          windowDays: z.string().nullable(),
          publisher: z.enum(['manual', 'webhook']),
          publisherUrl: z.string().nullable(),
          publisherSecret: z.string().nullable().openapi({ description: "A webhook publisher's new signing secret, shown this once." }),
        }),
      ),
      ...errors(400, 401, 403, 404),
    },
  }),
  freshness: createRoute({
    method: 'get',
    path: '/api/accounts/freshness',
    summary: 'How long since each account in use last published',
    description: 'Warning after 10 days, failing after 14; an account that never published counts from joining the matrix (lastPublishedAt null, since = joinedAt). Retired accounts are left out.',
    tags,
    security,
    request: { query: z.object({ date: dateField.optional() }) },
    responses: { 200: json(z.object({ date: z.string(), accounts: z.array(Freshness) })), ...errors(400, 401) },
  }),
};

export function accountRoutes(store: Pick<Store, 'setAccountSettings' | 'accountFreshness' | 'listAccountViews' | 'addAccount' | 'updateAccount'>) {
  const app = router();

  app.openapi(routes.list, async (c) => c.json({ accounts: await store.listAccountViews(c.get('actor'), { includeRetired: c.req.valid('query').includeRetired === 'true' }) }, 200));
  app.openapi(routes.add, async (c) => c.json(await store.addAccount(c.get('actor'), c.req.valid('json')), 201));
  app.openapi(routes.update, async (c) => c.json(await store.updateAccount(c.get('actor'), c.req.valid('param').name, c.req.valid('json')), 200));
  app.openapi(routes.accountSettings, async (c) => c.json(await store.setAccountSettings(c.get('actor'), c.req.valid('param').name, c.req.valid('json')), 200));
  app.openapi(routes.freshness, async (c) => {
    const date = c.req.valid('query').date ?? today();
    return c.json({ date, accounts: await store.accountFreshness(date) }, 200);
  });

  return app;
}
