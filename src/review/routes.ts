/**
 * The human review API: review tasks (list, claim, renew, release, decide),
 * the reviewer's queue, overriding a machine block, marking findings, and
 * reason templates.
 */
import { POST_STATUSES } from '../db/schema.js';
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { EVENT_ROLES, type Role } from '../review/transitions.js';
import { createRoute, z } from '@hono/zod-openapi';
import { allow, decimal, errors, IdParam, json, jsonBody, NumericIdParam, PostRef, router, security, Task, text } from '../http/openapi.js';
import type { Store } from '../service/programs.js';

const CATEGORIES = ['political', 'illegal', 'pii', 'ads', 'stale', 'secret', 'vulgar', 'wording'] as const;

const QueueItem = z
  .object({
    id: z.number().int().openapi({ description: 'The review task.' }),
    postId: z.string(),
    versionId: z.number().int(),
    version: z.number().int(),
    requiredApprovals: z.number().int(),
    approvals: z.number().int().openapi({ description: 'Distinct reviewers who approved this version so far.' }),
    assignedRole: z.enum(['reviewer', 'compliance']),
    riskScore: z.number(),
    claimedBy: z.number().int().nullable().openapi({ description: 'Who holds the task while the claim lasts; null when nobody does.' }),
    claimedByName: z.string().nullable(),
    leaseExpiresAt: z.string().nullable().openapi({ description: 'When the claim lapses; null when nobody holds the task.' }),
    overridden: z.boolean().openapi({ description: 'A compliance officer overrode the machine block of this version (see the post\'s `overrides`).' }),
    title: z.string().nullable(),
    excerpt: z.string().openapi({ description: 'The first 80 characters of the body.' }),
    date: z.string().openapi({ description: 'Planned publication day, YYYY-MM-DD.' }),
    account: z.string(),
    unit: z.string().nullable(),
    verdict: z.enum(['pass', 'review', 'block']).nullable(),
    categories: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('QueueItem');

const QueueCounts = z
  .object({
    total: z.number().int().openapi({ description: 'Every item of the actor\'s queue, whatever the filter.' }),
    high: z.number().int().openapi({ description: 'Items needing two approvals.' }),
    pass: z.number().int().openapi({ description: 'Items the machine passed (the 低风险 tab).' }),
    byAccount: z.record(z.string(), z.number().int()),
    byCategory: z.record(z.string(), z.number().int()),
  })
  .openapi('QueueCounts');

const ReasonTemplate = z.object({ id: z.number().int(), decision: z.enum(['reject', 'request_changes', 'escalate', 'override']), text: z.string() }).openapi('ReasonTemplate');
const Ok = z.object({ ok: z.literal(true) }).openapi('Ok');

const routes = {
  listTasks: createRoute({
    summary: 'List review tasks',
    description: 'Riskiest first. Editors see their accounts\' tasks, reviewers given accounts theirs; `claimed` means held by someone now, `open` unclaimed.',
    tags: ['review'],
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
  claim: createRoute({ summary: 'Claim a review task', description: 'Holds the task for the caller for a lease (10 minutes), so that others cannot decide it meanwhile. Deciding needs no claim.', tags: ['review'], method: 'post', path: '/api/review/tasks/{id}/claim', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'claimed'), ...errors(400, 401, 403, 404, 409) } }),
  decide: createRoute({ middleware: allow(EVENT_ROLES.approve as readonly Role[], 'decide review tasks'),
    summary: 'Decide a review task',
    description: 'Approve, reject, request changes or escalate to compliance; ends any claim. A two-approval version needs two distinct reviewers, neither the author nor whoever overrode its machine block. Reject, request changes and escalate need a reason.',
    tags: ['review'],
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
    responses: { 200: json(z.object({ task: Task, status: z.enum(POST_STATUSES) }).openapi('DecisionResult')), ...errors(400, 401, 403, 404, 409) },
  }),
  queue: createRoute({
    summary: 'The caller\'s review queue',
    description: 'Open tasks the caller may decide (not their own posts, not versions they approved, escalated ones for compliance only, only their accounts for a reviewer given accounts), riskiest first, with counts.',
    tags: ['review'],
    method: 'get',
    path: '/api/review/queue',
    security,
    request: {
      query: z.object({
        account: z.string().optional(),
        unit: z.string().optional(),
        category: z.enum(CATEGORIES).optional(),
        risk: z.enum(['high', 'normal']).optional(),
        verdict: z.enum(['pass', 'review', 'block']).optional().openapi({ description: 'The machine verdict; `pass` is the 低风险 tab.' }),
        limit: decimal(1).pipe(z.number().max(500)).default(100),
      }),
    },
    responses: { 200: json(z.object({ items: z.array(QueueItem), counts: QueueCounts }).openapi('Queue')), ...errors(400, 401, 403) },
  }),
  renew: createRoute({ summary: 'Renew a claim', description: 'Extends the caller\'s own claim by a full lease.', tags: ['review'], method: 'post', path: '/api/review/tasks/{id}/renew', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'lease renewed'), ...errors(400, 401, 404, 409) } }),
  release: createRoute({ summary: 'Release a claim', description: 'Gives the caller\'s claim back: others may decide the task at once.', tags: ['review'], method: 'post', path: '/api/review/tasks/{id}/release', security, request: { params: NumericIdParam }, responses: { 200: json(Task, 'released'), ...errors(400, 401, 404, 409) } }),
  override: createRoute({ middleware: allow(EVENT_ROLES.override_block as readonly Role[], 'override a machine block'),
    summary: 'Override a machine block',
    description: 'Compliance only, with a written reason (audited, shown on the post): the post goes to two-approval human review, and the officer may not give either approval.',
    tags: ['review'],
    method: 'post',
    path: '/api/posts/{id}/override',
    security,
    request: { params: IdParam, body: jsonBody(z.object({ reason: text('reason').pipe(z.string().min(1, 'reason is required').max(2000)) }).strict()) },
    responses: { 200: json(PostRef, 'machine block overridden; the post needs two approvals'), ...errors(400, 401, 403, 404, 409) },
  }),
  mark: createRoute({ middleware: allow(['reviewer', 'compliance'], 'mark findings'),
    summary: 'Mark a machine finding',
    description: 'A reviewer judges one finding of the current version a false positive or confirmed; the marks feed the per-rule statistics.',
    tags: ['review'],
    method: 'post',
    path: '/api/posts/{id}/findings/{index}/mark',
    security,
    request: {
      params: z.object({ id: z.string().min(1).max(100), index: decimal(0).openapi({ param: { name: 'index', in: 'path' } }) }),
      body: jsonBody(z.object({ mark: z.enum(['false_positive', 'confirmed']) }).strict()),
    },
    responses: { 200: json(Ok), ...errors(400, 401, 403, 404) },
  }),
  listTemplates: createRoute({ summary: 'List reason templates', description: 'The bureau\'s common reasons, offered on the review page.', tags: ['review'], method: 'get', path: '/api/reason-templates', security, responses: { 200: json(z.object({ templates: z.array(ReasonTemplate) })), ...errors(401) } }),
  addTemplate: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage reason templates'),
    summary: 'Add a reason template',
    tags: ['review'],
    method: 'post',
    path: '/api/reason-templates',
    security,
    request: { body: jsonBody(z.object({ decision: z.enum(['reject', 'request_changes', 'escalate', 'override']), text: text('text').pipe(z.string().min(1).max(500)) }).strict()) },
    responses: { 201: json(ReasonTemplate), ...errors(400, 401, 403) },
  }),
  disableTemplate: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage reason templates'), summary: 'Retire a reason template', tags: ['review'], method: 'delete', path: '/api/reason-templates/{id}', security, request: { params: NumericIdParam }, responses: { 200: json(Ok), ...errors(400, 401, 403, 404) } }),
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
