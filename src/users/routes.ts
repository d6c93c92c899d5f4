/** The users API: who the bearer token belongs to. */
import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, router, security } from '../http/openapi.js';

const me = createRoute({ method: 'get', path: '/api/me', security, responses: { 200: json(z.object({ id: z.number(), name: z.string(), role: z.string(), accountIds: z.array(z.number()) })), ...errors(401) } });

export function userRoutes() {
  const app = router();
  app.openapi(me, (c) => c.json(c.get('actor'), 200));
  return app;
}
