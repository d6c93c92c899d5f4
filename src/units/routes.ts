/** The units API: the responsible units of the matrix (list: everyone signed in; add, rename: admin). */
import { createRoute, z } from '@hono/zod-openapi';
import { allow, errors, json, jsonBody, NumericIdParam, router, security } from '../http/openapi.js';
import type { Store } from '../service/programs.js';

const tags = ['units'];
const Unit = z
  .object({ id: z.number().int(), name: z.string(), accounts: z.number().int().openapi({ description: 'Accounts in use.' }), retiredAccounts: z.number().int() })
  .openapi('Unit');
const Body = z.object({ name: z.string().min(1).max(100) }).strict();

const routes = {
  list: createRoute({ method: 'get', path: '/api/units', summary: 'List the responsible units', tags, security, responses: { 200: json(z.object({ units: z.array(Unit) })), ...errors(401) } }),
  add: createRoute({
    middleware: allow(['admin'], 'add units'),
    method: 'post',
    path: '/api/units',
    summary: 'Add a unit (admin)',
    description: '409 when the name is in use.',
    tags,
    security,
    request: { body: jsonBody(Body) },
    responses: { 201: json(Unit, 'added'), ...errors(400, 401, 403, 409) },
  }),
  rename: createRoute({
    middleware: allow(['admin'], 'rename units'),
    method: 'patch',
    path: '/api/units/{id}',
    summary: 'Rename a unit (admin)',
    tags,
    security,
    request: { params: NumericIdParam, body: jsonBody(Body) },
    responses: { 200: json(Unit), ...errors(400, 401, 403, 404, 409) },
  }),
};

export function unitRoutes(store: Pick<Store, 'listUnits' | 'addUnit' | 'renameUnit'>) {
  const app = router();
  app.openapi(routes.list, async (c) => c.json({ units: await store.listUnits() }, 200));
  app.openapi(routes.add, async (c) => c.json(await store.addUnit(c.get('actor'), c.req.valid('json')), 201));
  app.openapi(routes.rename, async (c) => c.json(await store.renameUnit(c.get('actor'), c.req.valid('param').id, c.req.valid('json')), 200));
  return app;
}
