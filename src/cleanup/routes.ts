/**
 * The cleanup API: start a run over the published archive and follow it
 * (without a CleanupApi the run routes answer 404), and the cleanup tasks
 * runs open, listed and decided.
 */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../store/errors.js';
import { allow, dateField, decimal, errors, json, jsonBody, NumericIdParam, router, security, text } from '../http/openapi.js';
import { isValidDate, today } from '../review/dates.js';
import { requireCompliance } from '../users/roles.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from './service.js';

const routes = {
  runCleanup: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'start cleanup runs'),
    method: 'post',
    path: '/api/cleanup/run',
    security,
    request: {
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ checks: z.array(z.enum(['rescan', 'policy', 'deadline', 'links'])).min(1).optional(), asOf: dateField.optional() }).strict() } },
      },
    },
    responses: { 202: json(z.object({ id: z.number(), percent: z.number(), state: z.string() }).passthrough(), 'started'), ...errors(400, 401, 403) },
  }),
  cleanupRuns: createRoute({ method: 'get', path: '/api/cleanup/runs', security, responses: { 200: json(z.object({ runs: z.array(z.unknown()) })), ...errors(401) } }),
  cleanupRun: createRoute({ method: 'get', path: '/api/cleanup/runs/{id}', security, request: { params: NumericIdParam }, responses: { 200: json(z.object({ id: z.number(), percent: z.number() }).passthrough()), ...errors(401, 404) } }),
  cleanupTasks: createRoute({
    method: 'get',
    path: '/api/cleanup/tasks',
    security,
    request: { query: z.object({ postId: z.string().optional(), state: z.enum(['open', 'decided', 'fixed']).optional(), kind: z.enum(['rescan', 'policy', 'deadline', 'link_broken', 'link_foreign']).optional(), limit: decimal(1).pipe(z.number().max(1000)).default(100) }) },
    responses: { 200: json(z.object({ tasks: z.array(z.object({ id: z.number(), postId: z.string(), kind: z.string(), recommendedAction: z.string() }).passthrough()) })), ...errors(400, 401) },
  }),
  decideCleanup: createRoute({ middleware: allow(['editor', 'compliance', 'admin'], 'decide cleanup tasks'),
    method: 'post',
    path: '/api/cleanup/tasks/{id}/decision',
    security,
    request: { params: NumericIdParam, body: jsonBody(z.object({ action: z.enum(['withdraw', 'annotate', 'update', 'keep']), reason: text('reason').pipe(z.string().max(2000)).optional() }).strict()) },
    responses: { 200: json(z.object({ id: z.number(), state: z.string(), decision: z.string(), postStatus: z.string() })), ...errors(400, 401, 403, 404, 409) },
  }),
};

export function cleanupRoutes(store: Pick<Store, 'listCleanupTasks' | 'decideCleanupTask'>, cleanup?: CleanupApi) {
  const app = router();

  app.openapi(routes.runCleanup, async (c) => {
    const actor = c.get('actor');
    requireCompliance(actor, 'start cleanup runs');
    if (!cleanup) throw new DomainError('not_found', 'cleanup is not available on this server');
    let body: { checks?: Array<'rescan' | 'policy' | 'deadline' | 'links'>; asOf?: string } = {};
    if ((c.req.header('content-type') ?? '').includes('application/json')) body = c.req.valid('json') ?? {};
    if (body.asOf && !isValidDate(body.asOf)) throw new DomainError('invalid', 'asOf must be a calendar day YYYY-MM-DD', 'asOf');
    const run = await cleanup.startRun({ trigger: 'api', ...(body.checks ? { checks: body.checks } : {}), asOf: body.asOf ?? today(), actorId: actor.id });
    return c.json(run, 202);
  });
  app.openapi(routes.cleanupRuns, async (c) => c.json({ runs: (await cleanup?.runs()) ?? [] }, 200));
  app.openapi(routes.cleanupRun, async (c) => {
    if (!cleanup) throw new DomainError('not_found', 'cleanup is not available on this server');
    return c.json((await cleanup.run(c.req.valid('param').id)) as { id: number; percent: number }, 200);
  });
  app.openapi(routes.cleanupTasks, async (c) => {
    const q = c.req.valid('query');
    return c.json({ tasks: await store.listCleanupTasks(c.get('actor'), { limit: q.limit, ...(q.postId ? { postId: q.postId } : {}), ...(q.state ? { state: q.state } : {}), ...(q.kind ? { kind: q.kind } : {}) }) }, 200);
  });
  app.openapi(routes.decideCleanup, async (c) => {
    const b = c.req.valid('json');
    return c.json(await store.decideCleanupTask(c.get('actor'), c.req.valid('param').id, { action: b.action, ...(b.reason ? { reason: b.reason } : {}) }), 200);
  });

  return app;
}
