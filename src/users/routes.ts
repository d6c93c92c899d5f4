/** The users API: who the bearer token belongs to, and (admins only) the user lifecycle. */
import { createRoute, z } from '@hono/zod-openapi';
import { allow, decimal, errors, json, jsonBody, router, security, text } from '../http/openapi.js';
import type { Store } from '../service/programs.js';
import { MAX_EXPIRES_DAYS } from './programs.js';

const RoleEnum = z.enum(['editor', 'reviewer', 'compliance', 'admin']);

const User = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: RoleEnum,
    accounts: z.array(z.string()).openapi({ description: 'Names of the accounts the user works for.' }),
    disabled: z.boolean(),
    createdAt: z.string(),
    tokenExpiresAt: z.string().nullable().openapi({ description: 'When the token stops working; null: no expiry.' }),
  })
  .openapi('User');

const IssuedToken = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: RoleEnum,
    token: z.string().openapi({ description: 'The bearer token, shown this once; only its hash is stored.' }),
    tokenExpiresAt: z.string().nullable(),
  })
  .openapi('IssuedToken');

const expiresInDays = z.number().int().min(1).max(MAX_EXPIRES_DAYS).openapi({ description: 'The token stops working this many days from now; without it, it does not expire.' });
const UserIdParam = z.object({ id: decimal(1).openapi({ param: { name: 'id', in: 'path' } }) });
const ADMIN = ['admin'] as const;

const routes = {
  me: createRoute({
    method: 'get',
    path: '/api/me',
    summary: 'Who the bearer token belongs to',
    tags: ['users'],
    security,
    responses: { 200: json(z.object({ id: z.number(), name: z.string(), role: z.string(), accountIds: z.array(z.number()) })), ...errors(401) },
  }),
  list: createRoute({
    middleware: allow(ADMIN, 'list users'),
    method: 'get',
    path: '/api/users',
    summary: 'List every user (admins)',
    tags: ['users'],
    security,
    responses: { 200: json(z.object({ users: z.array(User) })), ...errors(401, 403) },
  }),
  add: createRoute({
    middleware: allow(ADMIN, 'add users'),
    method: 'post',
    path: '/api/users',
    summary: 'Add a user and issue their token (admins)',
    description: 'An unknown account is 400, a retired one 409 (field `accounts`).',
    tags: ['users'],
    security,
    request: {
      body: jsonBody(
        z
          .object({
            name: text('name').trim().min(1).max(100),
            role: RoleEnum,
            accounts: z.array(z.string().min(1)).max(100).optional(),
            expiresInDays: expiresInDays.optional(),
          })
          .strict(),
      ),
    },
    responses: { 201: json(IssuedToken, 'created; the token is returned only here'), ...errors(400, 401, 403, 409) },
  }),
  disable: createRoute({
    middleware: allow(ADMIN, 'disable users'),
    method: 'post',
    path: '/api/users/{id}/disable',
    summary: "Disable a user: their token and sessions stop working at once (admins)",
    tags: ['users'],
    security,
    request: { params: UserIdParam },
    responses: { 200: json(User), ...errors(400, 401, 403, 404, 409) },
  }),
  enable: createRoute({
    middleware: allow(ADMIN, 'enable users'),
    method: 'post',
    path: '/api/users/{id}/enable',
    summary: 'Enable a disabled user again (admins)',
    tags: ['users'],
    security,
    request: { params: UserIdParam },
    responses: { 200: json(User), ...errors(400, 401, 403, 404, 409) },
  }),
  rotate: createRoute({
    middleware: allow(ADMIN, 'rotate tokens'),
    method: 'post',
    path: '/api/users/{id}/rotate',
    summary: "Issue a new token; the old one and the user's sessions stop working at once (admins)",
    tags: ['users'],
    security,
    request: {
      params: UserIdParam,
      body: { required: false, content: { 'application/json': { schema: z.object({ expiresInDays: expiresInDays.optional() }).strict() } } },
    },
    responses: { 200: json(IssuedToken), ...errors(400, 401, 403, 404) },
  }),
};

export function userRoutes(store: Pick<Store, 'listUsers' | 'addUser' | 'disableUser' | 'enableUser' | 'rotateToken'>) {
  const app = router();
  app.openapi(routes.me, (c) => c.json(c.get('actor'), 200));
  app.openapi(routes.list, async (c) => c.json({ users: await store.listUsers(c.get('actor')) }, 200));
  app.openapi(routes.add, async (c) => {
    const b = c.req.valid('json');
    const issued = await store.addUser({ name: b.name, role: b.role, accounts: b.accounts ?? [], ...(b.expiresInDays !== undefined ? { expiresInDays: b.expiresInDays } : {}) }, c.get('actor'));
    return c.json(issued, 201);
  });
  app.openapi(routes.disable, async (c) => c.json(await store.disableUser(c.get('actor'), c.req.valid('param').id), 200));
  app.openapi(routes.enable, async (c) => c.json(await store.enableUser(c.get('actor'), c.req.valid('param').id), 200));
  app.openapi(routes.rotate, async (c) => {
    // The body is optional: without one (or with an empty one) the new token does not expire.
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const days = body?.expiresInDays;
    return c.json(await store.rotateToken(c.get('actor'), c.req.valid('param').id, days !== undefined ? { expiresInDays: days } : {}), 200);
  });
  return app;
}
