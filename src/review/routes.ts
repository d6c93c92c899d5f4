/**
 * The human review API: review tasks (list, claim, renew, release, decide),
 * the reviewer's queue, overriding a machine block, marking findings, and
 * reason templates.
 */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { EVENT_ROLES, type Role } from '../review/transitions.js';
import { createRoute, z } from '@hono/zod-openapi';
import { allow, decimal, errors, IdParam, json, jsonBody, NumericIdParam, PostRef, router, security, Task, text } from '../http/openapi.js';
import type { Store } from '../service/programs.js';

const routes = {
  listTasks: createRoute({
    method: 'get',
    path: '/api/review/tasks',
    security,
    request: {
      query: z.object({
        postId: z.string().optional(),
        state: z.enum(['open', 'claimed', 'done', 'void']).optional(),
        limit: decimal(1).pipe(z.number().max(500)).default(50),
      }),
    },
    responses: { 200: json(z.object({ tasks: z.array(Task) })), ...errors(400, 401) },
  }),
  claim: createRoute({ method: 'post', path: '/api/review/tasks/{id}/claim', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'claimed'), ...errors(401, 403, 404, 409) } }),
  decide: createRoute({ middleware: allow(EVENT_ROLES.approve as readonly Role[], 'decide review tasks'),
    method: 'post',
    path: '/api/review/tasks/{id}/decision',
    security,
    request: {
      params: NumericIdParam,
      body: jsonBody(
        z
          .object({
            decision: z.enum(['approve', 'reject', 'request_changes', 'escalate']),
            reason: text('reason').pipe(z.string().max(2000)).optional(),
          })
          .strict()
          .openapi('Decision'),
      ),
    },
    responses: { 200: json(z.object({ task: Task, status: z.string() })), ...errors(400, 401, 403, 404, 409) },
  }),
  queue: createRoute({
    method: 'get',
    path: '/api/review/queue',
    security,
    request: {
      query: z.object({
        account: z.string().optional(),
        unit: z.string().optional(),
        category: z.enum(['political', 'illegal', 'pii', 'ads', 'stale', 'secret', 'vulgar', 'wording']).optional(),
        risk: z.enum(['high', 'normal']).optional(),
        limit: decimal(1).pipe(z.number().max(500)).default(100),
      }),
    },
    responses: { 200: json(z.object({ items: z.array(z.object({ id: z.number(), postId: z.string() }).passthrough()), counts: z.object({ total: z.number(), high: z.number(), byAccount: z.record(z.string(), z.number()), byCategory: z.record(z.string(), z.number()) }) })), ...errors(400, 401, 403) },
  }),
  renew: createRoute({ method: 'post', path: '/api/review/tasks/{id}/renew', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'lease renewed'), ...errors(401, 404, 409) } }),
  release: createRoute({ method: 'post', path: '/api/review/tasks/{id}/release', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'released'), ...errors(401, 404, 409) } }),
  override: createRoute({ middleware: allow(EVENT_ROLES.override_block as readonly Role[], 'override a machine block'),
    method: 'post',
    path: '/api/posts/{id}/override',
    security,
    request: { params: IdParam, body: jsonBody(z.object({ reason: text('reason').pipe(z.string().min(1, 'reason is required').max(2000)) }).strict()) },
    responses: { 200: json(PostRef, 'machine block overridden; the post needs two approvals'), ...errors(400, 401, 403, 404, 409) },
  }),
  mark: createRoute({ middleware: allow(['reviewer', 'compliance'], 'mark findings'),
    method: 'post',
    path: '/api/posts/{id}/findings/{index}/mark',
    security,
    request: {
      params: z.object({ id: z.string().min(1).max(100), index: decimal(0).openapi({ param: { name: 'index', in: 'path' } }) }),
      body: jsonBody(z.object({ mark: z.enum(['false_positive', 'confirmed']) }).strict()),
    },
    responses: { 200: json(z.object({ ok: z.boolean() })), ...errors(400, 401, 403, 404) },
  }),
  listTemplates: createRoute({ method: 'get', path: '/api/reason-templates', security, responses: { 200: json(z.object({ templates: z.array(z.object({ id: z.number(), decision: z.string(), text: z.string() })) })), ...errors(401) } }),
  addTemplate: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage reason templates'),
    method: 'post',
    path: '/api/reason-templates',
    security,
    request: { body: jsonBody(z.object({ decision: z.enum(['reject', 'request_changes', 'escalate', 'override']), text: text('text').pipe(z.string().min(1).max(500)) }).strict()) },
    responses: { 201: json(z.object({ id: z.number(), decision: z.string(), text: z.string() })), ...errors(400, 401, 403) },
  }),
  disableTemplate: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage reason templates'), method: 'delete', path: '/api/reason-templates/{id}', security, request: { params: NumericIdParam }, responses: { 200: json(z.object({ ok: z.boolean() })), ...errors(401, 403, 404) } }),
};

type ReviewStore = Pick<
  Store,
  'listTasks' | 'claimTask' | 'decide' | 'queue' | 'renewClaim' | 'releaseClaim' | 'overrideBlock' | 'markFinding' | 'listReasonTemplates' | 'addReasonTemplate' | 'disableReasonTemplate'
>;

export function reviewRoutes(store: ReviewStore) {
  const app = router();

  app.openapi(routes.listTasks, async (c) => {
    const q = c.req.valid('query');
    const tasks = await store.listTasks(c.get('actor'), { limit: q.limit, ...(q.postId ? { postId: q.postId } : {}), ...(q.state ? { state: q.state } : {}) });
    return c.json({ tasks }, 200);
  });

  app.openapi(routes.claim, async (c) => c.json(await store.claimTask(c.get('actor'), c.req.valid('param').id), 200));

  app.openapi(routes.decide, async (c) => {
    const body = c.req.valid('json');
    const r = await store.decide(c.get('actor'), c.req.valid('param').id, { decision: body.decision, ...(body.reason != null ? { reason: body.reason } : {}) });
    return c.json(r, 200);
  });

  app.openapi(routes.queue, async (c) => {
    const q = c.req.valid('query');
    const filter = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
    return c.json(await store.queue(c.get('actor'), filter), 200);
  });
  app.openapi(routes.renew, async (c) => c.json(await store.renewClaim(c.get('actor'), c.req.valid('param').id), 200));
  app.openapi(routes.release, async (c) => c.json(await store.releaseClaim(c.get('actor'), c.req.valid('param').id), 200));
  app.openapi(routes.override, async (c) => c.json(await store.overrideBlock(c.get('actor'), c.req.valid('param').id, c.req.valid('json').reason), 200));
  app.openapi(routes.mark, async (c) => {
    const p = c.req.valid('param');
    await store.markFinding(c.get('actor'), p.id, p.index, c.req.valid('json').mark);
    return c.json({ ok: true }, 200);
  });
  app.openapi(routes.listTemplates, async (c) => c.json({ templates: await store.listReasonTemplates() }, 200));
  app.openapi(routes.addTemplate, async (c) => c.json(await store.addReasonTemplate(c.get('actor'), c.req.valid('json')), 201));
  app.openapi(routes.disableTemplate, async (c) => {
    await store.disableReasonTemplate(c.get('actor'), c.req.valid('param').id);
    return c.json({ ok: true }, 200);
  });

  return app;
}
