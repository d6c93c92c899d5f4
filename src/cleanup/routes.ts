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
import { CLEANUP_KINDS, POST_STATUSES } from '../db/schema.js';

const CHECK_NAMES = ['rescan', 'policy', 'deadline', 'links'] as const;
const ACTIONS = ['withdraw', 'annotate', 'update', 'keep'] as const;

const Run = z
  .object({
    id: z.number().int(),
    trigger: z.string().openapi({ description: 'What started it: api, cli, schedule, policy_change, rules_change.' }),
    checks: z.array(z.enum(CHECK_NAMES)),
    asOf: z.string().openapi({ description: 'The day the run judges by (YYYY-MM-DD).' }),
    state: z.enum(['running', 'done', 'failed']),
    totalBatches: z.number().int(),
    doneBatches: z.number().int(),
    totalPosts: z.number().int(),
    opened: z.number().int(),
    closed: z.number().int(),
    percent: z.number(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('CleanupRun');

const CleanupTask = z
  .object({
    id: z.number().int(),
    postId: z.string(),
    account: z.string(),
    title: z.string().nullable().openapi({ description: 'Title of the published version the problem was found in.' }),
    problem: z.string().openapi({ description: 'What is wrong, in one Chinese sentence.' }),
    kind: z.enum(CLEANUP_KINDS),
    key: z.string(),
    recommendedAction: z.enum(ACTIONS),
    state: z.enum(['open', 'decided', 'fixed']),
    decision: z.enum(ACTIONS).nullable(),
    reason: z.string().nullable(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi({
      description: 'What the check found, by kind: rescan {rule, field, start, end, text, gate, category, severity, action, suggestion?, note?}; policy {policyId, docNo, title, status, replacedBy, cited, note}; deadline {date, text, note}; link_broken {url, kind, status?|message?|location?|address?, note}; link_foreign {url, host, note}.',
    }),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('CleanupTask');

const routes = {
  runCleanup: createRoute({ summary: 'Start a cleanup run over the published archive', description: 'Re-checks every published post (rules, cited policies, passed deadlines, links) in resumable batches; opens a task per problem found and closes those no longer found.', tags: ['cleanup'], middleware: allow(COMPLIANCE_ROLES, 'start cleanup runs'),
    method: 'post',
    path: '/api/cleanup/run',
    security,
    request: {
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ checks: z.array(z.enum(CHECK_NAMES)).min(1).optional(), asOf: dateField.optional() }).strict() } },
      },
    },
    responses: { 202: json(Run, 'started'), ...errors(400, 401, 403, 404) },
  }),
  cleanupRuns: createRoute({ summary: 'Recent cleanup runs', tags: ['cleanup'], method: 'get', path: '/api/cleanup/runs', security, responses: { 200: json(z.object({ runs: z.array(Run) })), ...errors(401) } }),
  cleanupRun: createRoute({ summary: 'One cleanup run and its progress', tags: ['cleanup'], method: 'get', path: '/api/cleanup/runs/{id}', security, request: { params: NumericIdParam }, responses: { 200: json(Run), ...errors(400, 401, 404) } }),
  cleanupTasks: createRoute({
    summary: 'Cleanup tasks',
    description: 'Problems found in published posts, oldest first; an editor sees their own accounts only.',
    tags: ['cleanup'],
    method: 'get',
    path: '/api/cleanup/tasks',
    security,
    request: { query: z.object({ postId: z.string().optional(), state: z.enum(['open', 'decided', 'fixed']).optional(), kind: z.enum(CLEANUP_KINDS).optional(), limit: decimal(1).pipe(z.number().max(1000)).default(100) }) },
    responses: { 200: json(z.object({ tasks: z.array(CleanupTask) })), ...errors(400, 401) },
  }),
  decideCleanup: createRoute({ summary: 'Decide a cleanup task', description: 'withdraw (撤回) and annotate (加注) change the post’s status; update and keep are recorded.', tags: ['cleanup'], middleware: allow(['editor', 'compliance', 'admin'], 'decide cleanup tasks'),
    method: 'post',
    path: '/api/cleanup/tasks/{id}/decision',
    security,
    request: { params: NumericIdParam, body: jsonBody(z.object({ action: z.enum(ACTIONS), reason: text('reason').pipe(z.string().max(2000)).optional() }).strict()) },
    responses: { 200: json(z.object({ id: z.number().int(), state: z.enum(['open', 'decided', 'fixed']), decision: z.enum(ACTIONS), postStatus: z.enum(POST_STATUSES) })), ...errors(400, 401, 403, 404, 409) },
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
    return c.json(await cleanup.run(c.req.valid('param').id), 200);
  });
  app.openapi(routes.cleanupTasks, async (c) => {
    const q = c.req.valid('query');
    const tasks = await store.listCleanupTasks(c.get('actor'), { limit: q.limit, ...(q.postId ? { postId: q.postId } : {}), ...(q.state ? { state: q.state } : {}), ...(q.kind ? { kind: q.kind } : {}) });
    // `detail` is written by the checks (checks.ts) with scalar values only, as documented.
    return c.json({ tasks: tasks as Array<z.infer<typeof CleanupTask>> }, 200);
  });
  app.openapi(routes.decideCleanup, async (c) => {
    const b = c.req.valid('json');
    return c.json(await store.decideCleanupTask(c.get('actor'), c.req.valid('param').id, { action: b.action, ...(b.reason ? { reason: b.reason } : {}) }), 200);
  });

  return app;
}
