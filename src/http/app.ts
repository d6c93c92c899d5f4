/**
 * The HTTP API (Hono + zod-openapi). Every input is validated by a zod schema
 * that also documents it at /openapi.json. The app depends only on the Store
 * interface and Web APIs, never on Node modules, so another runtime can serve it
 * with another store adapter.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { DomainError, HTTP_STATUS, MAX_BODY_CHARS, MAX_TITLE_CHARS } from '../store/errors.js';
import type { Actor, Store } from '../store/types.js';
import { mountUi } from '../ui/routes.js';

type Env = { Variables: { actor: Actor } };

/** Text that is valid Unicode (no lone surrogates) and has no NUL or other C0 controls but tab/newline. */
const text = (field: string) =>
  z
    .string()
    .refine((s) => s.isWellFormed(), { message: `${field} is not valid Unicode text (lone surrogate)` })
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(s), { message: `${field} contains control characters` });

const dateField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .openapi({ example: '2026-11-23', description: 'Intended publication day; time-aware rules use it. Default: today.' });

const NewPostSchema = z
  .object({
    account: z.string().min(1).openapi({ example: '人社官微' }),
    title: text('title').optional().openapi({ example: '关于2026年社保缴费基数调整的通知' }),
    body: text('body').pipe(z.string().min(1, 'body must not be empty')).openapi({ description: `At most ${MAX_BODY_CHARS} characters (413 beyond).` }),
    platform: z.string().max(40).optional(),
    date: dateField.optional(),
  })
  .strict()
  .openapi('NewPost');

const NewVersionSchema = NewPostSchema.omit({ account: true }).openapi('NewVersion');

const Hit = z
  .object({
    field: z.enum(['title', 'body']),
    start: z.number().int(),
    end: z.number().int(),
    text: z.string(),
    rule: z.string(),
    category: z.string(),
    gate: z.string(),
    severity: z.string(),
    action: z.enum(['block', 'review', 'info']),
    suggestion: z.string().optional(),
    message: z.string().optional(),
  })
  .openapi('Hit');

const Task = z
  .object({
    id: z.number().int(),
    postId: z.string(),
    versionId: z.number().int(),
    version: z.number().int(),
    state: z.enum(['open', 'claimed', 'done', 'void']),
    requiredApprovals: z.number().int(),
    approvals: z.number().int(),
    assignedRole: z.enum(['reviewer', 'compliance']),
    riskScore: z.number(),
    claimedBy: z.number().int().nullable(),
    leaseExpiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ReviewTask');

const Post = z
  .object({
    id: z.string(),
    status: z.string(),
    account: z.string(),
    authorId: z.number().int(),
    version: z.number().int(),
    title: z.string().nullable(),
    body: z.string(),
    platform: z.string().nullable(),
    date: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    machineReview: z
      .object({
        verdict: z.enum(['pass', 'review', 'block']),
        categories: z.array(z.string()),
        findings: z.array(Hit),
        classifier: z.object({ label: z.string(), score: z.number() }).passthrough().nullable(),
        rulesVersion: z.string(),
        modelVersion: z.string().nullable(),
        reviewedAt: z.string(),
      })
      .nullable(),
    tasks: z.array(Task),
    reviews: z.array(
      z.object({
        id: z.number().int(),
        taskId: z.number().int(),
        version: z.number().int(),
        reviewerId: z.number().int(),
        reviewerName: z.string(),
        decision: z.string(),
        reason: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
    publications: z.array(z.object({ id: z.number().int(), version: z.number().int(), platform: z.string().nullable(), url: z.string().nullable(), publishedAt: z.string() })),
  })
  .openapi('Post');

const ErrorBody = z.object({ error: z.string(), field: z.string().optional() }).openapi('Error');
const PostRef = z.object({ id: z.string(), status: z.string(), version: z.number().int().optional() }).openapi('PostRef');

const errors = (...codes: Array<400 | 401 | 403 | 404 | 409 | 413>) =>
  Object.fromEntries(codes.map((c) => [c, { description: 'error', content: { 'application/json': { schema: ErrorBody } } }]));

const json = <T extends z.ZodTypeAny>(schema: T, description = 'ok') => ({ description, content: { 'application/json': { schema } } });
const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const IdParam = z.object({ id: z.string().min(1).max(100) });
const TaskIdParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }) });

const security = [{ bearer: [] }];

const routes = {
  submit: createRoute({ method: 'post', path: '/api/posts', security, request: { body: jsonBody(NewPostSchema) }, responses: { 201: json(PostRef, 'submitted'), ...errors(400, 401, 403, 413) } }),
  resubmit: createRoute({ method: 'post', path: '/api/posts/{id}/versions', security, request: { params: IdParam, body: jsonBody(NewVersionSchema) }, responses: { 201: json(PostRef, 'new version submitted'), ...errors(400, 401, 403, 404, 409, 413) } }),
  getPost: createRoute({ method: 'get', path: '/api/posts/{id}', security, request: { params: IdParam }, responses: { 200: json(Post), ...errors(401, 404) } }),
  listTasks: createRoute({
    method: 'get',
    path: '/api/review/tasks',
    security,
    request: {
      query: z.object({
        postId: z.string().optional(),
        state: z.enum(['open', 'claimed', 'done', 'void']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
    },
    responses: { 200: json(z.object({ tasks: z.array(Task) })), ...errors(400, 401) },
  }),
  claim: createRoute({ method: 'post', path: '/api/review/tasks/{id}/claim', security, request: { params: TaskIdParam }, responses: { 200: json(Task, 'claimed'), ...errors(401, 403, 404, 409) } }),
  decide: createRoute({
    method: 'post',
    path: '/api/review/tasks/{id}/decision',
    security,
    request: {
      params: TaskIdParam,
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
  publish: createRoute({
    method: 'post',
    path: '/api/posts/{id}/publish',
    security,
    request: {
      params: IdParam,
      body: { required: false, content: { 'application/json': { schema: z.object({ platform: z.string().max(40).optional(), url: z.string().url().max(2000).optional() }).strict() } } },
    },
    responses: { 200: json(z.object({ id: z.string(), status: z.string(), publicationId: z.number().int() })), ...errors(400, 401, 403, 404, 409) },
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
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: { 200: json(z.object({ items: z.array(z.object({ id: z.number(), postId: z.string() }).passthrough()), counts: z.object({ total: z.number(), high: z.number(), byAccount: z.record(z.string(), z.number()), byCategory: z.record(z.string(), z.number()) }) })), ...errors(400, 401, 403) },
  }),
  renew: createRoute({ method: 'post', path: '/api/review/tasks/{id}/renew', security, request: { params: TaskIdParam }, responses: { 200: json(Task, 'lease renewed'), ...errors(401, 404, 409) } }),
  release: createRoute({ method: 'post', path: '/api/review/tasks/{id}/release', security, request: { params: TaskIdParam }, responses: { 200: json(Task, 'released'), ...errors(401, 404, 409) } }),
  override: createRoute({
    method: 'post',
    path: '/api/posts/{id}/override',
    security,
    request: { params: IdParam, body: jsonBody(z.object({ reason: text('reason').pipe(z.string().min(1, 'reason is required').max(2000)) }).strict()) },
    responses: { 200: json(PostRef, 'machine block overridden; the post needs two approvals'), ...errors(400, 401, 403, 404, 409) },
  }),
  mark: createRoute({
    method: 'post',
    path: '/api/posts/{id}/findings/{index}/mark',
    security,
    request: {
      params: z.object({ id: z.string().min(1).max(100), index: z.coerce.number().int().min(0).openapi({ param: { name: 'index', in: 'path' } }) }),
      body: jsonBody(z.object({ mark: z.enum(['false_positive', 'confirmed']) }).strict()),
    },
    responses: { 200: json(z.object({ ok: z.boolean() })), ...errors(400, 401, 403, 404) },
  }),
  diff: createRoute({
    method: 'get',
    path: '/api/posts/{id}/diff',
    security,
    request: { params: IdParam, query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }) },
    responses: { 200: json(z.object({ from: z.number(), to: z.number(), title: z.array(z.object({ op: z.string(), text: z.string() })), body: z.array(z.object({ op: z.string(), text: z.string() })) })), ...errors(400, 401, 404) },
  }),
  ruleStats: createRoute({ method: 'get', path: '/api/rules/stats', security, responses: { 200: json(z.object({ rules: z.array(z.object({ rule: z.string() }).passthrough()) })), ...errors(401, 403) } }),
  listTemplates: createRoute({ method: 'get', path: '/api/reason-templates', security, responses: { 200: json(z.object({ templates: z.array(z.object({ id: z.number(), decision: z.string(), text: z.string() })) })), ...errors(401) } }),
  addTemplate: createRoute({
    method: 'post',
    path: '/api/reason-templates',
    security,
    request: { body: jsonBody(z.object({ decision: z.enum(['reject', 'request_changes', 'escalate', 'override']), text: text('text').pipe(z.string().min(1).max(500)) }).strict()) },
    responses: { 201: json(z.object({ id: z.number(), decision: z.string(), text: z.string() })), ...errors(400, 401, 403) },
  }),
  disableTemplate: createRoute({ method: 'delete', path: '/api/reason-templates/{id}', security, request: { params: TaskIdParam }, responses: { 200: json(z.object({ ok: z.boolean() })), ...errors(401, 403, 404) } }),
  addWebhook: createRoute({
    method: 'post',
    path: '/api/webhooks',
    security,
    request: { body: jsonBody(z.object({ account: z.string().optional(), url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'url must be http(s)') }).strict()) },
    responses: { 201: json(z.object({ id: z.number(), secret: z.string() }), 'created; the secret signs every delivery (HMAC-SHA256) and is shown once'), ...errors(400, 401, 403) },
  }),
  me: createRoute({ method: 'get', path: '/api/me', security, responses: { 200: json(z.object({ id: z.number(), name: z.string(), role: z.string(), accountIds: z.array(z.number()) })), ...errors(401) } }),
};

function errorResponse(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413, error: string, field?: string) {
  return c.json(field ? { error, field } : { error }, status);
}

function checkSizes(body: { body: string; title?: string }) {
  if (body.body.length > MAX_BODY_CHARS) {
    throw new DomainError('too_large', `body has ${body.body.length} characters; at most ${MAX_BODY_CHARS} are accepted`, 'body');
  }
  if (body.title && body.title.length > MAX_TITLE_CHARS) {
    throw new DomainError('too_large', `title has ${body.title.length} characters; at most ${MAX_TITLE_CHARS} are accepted`, 'title');
  }
}

export interface AppOptions {
  store: Store;
  /** Extra routes (e.g. the reviewer UI) mounted on the same app. */
  extend?: (app: OpenAPIHono<Env>) => void;
}

export function createApp({ store, extend }: AppOptions) {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : undefined);
        const message = issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : `${field ?? 'request'}: ${issue.message}`;
        return errorResponse(c, 400, message, field || undefined);
      }
    },
  });

  app.onError((err, c) => {
    if (err instanceof DomainError) return errorResponse(c, HTTP_STATUS[err.code], err.message, err.field);
    if (err instanceof HTTPException) {
      const msg = err.message || 'bad request';
      return errorResponse(c, err.status as 400, /json/i.test(msg) ? `malformed JSON body: ${msg}` : msg);
    }
    console.error(err);
    return c.json({ error: 'internal error' }, 500);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'lastgate', version: '0.1.0', description: 'Pre-publication review API: submit, machine review, human review, publish.' } });

  // Far above any valid post (50,000 characters even \u-escaped), so only abuse is cut off here.
  app.use('/api/*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => errorResponse(c, 413, 'request body too large (limit 2 MiB)') }));
  app.use('/api/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return errorResponse(c, 401, 'missing bearer token (Authorization: Bearer TOKEN)');
    const actor = await store.authenticate(m[1]!);
    if (!actor) return errorResponse(c, 401, 'invalid or disabled token');
    c.set('actor', actor);
    await next();
  });

  app.openapi(routes.me, (c) => c.json(c.get('actor'), 200));

  app.openapi(routes.submit, async (c) => {
    const input = c.req.valid('json');
    checkSizes(input);
    const r = await store.submitPost(c.get('actor'), input);
    return c.json(r, 201);
  });

  app.openapi(routes.resubmit, async (c) => {
    const input = c.req.valid('json');
    checkSizes(input);
    const r = await store.resubmitPost(c.get('actor'), c.req.valid('param').id, input);
    return c.json(r, 201);
  });

  app.openapi(routes.getPost, async (c) => c.json(await store.getPost(c.get('actor'), c.req.valid('param').id), 200));

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

  app.openapi(routes.publish, async (c) => {
    let target: { platform?: string; url?: string } = {};
    if ((c.req.header('content-type') ?? '').includes('application/json')) target = c.req.valid('json') ?? {};
    return c.json(await store.publish(c.get('actor'), c.req.valid('param').id, target), 200);
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
  app.openapi(routes.diff, async (c) => {
    const q = c.req.valid('query');
    return c.json(await store.versionDiff(c.get('actor'), c.req.valid('param').id, q.from, q.to), 200);
  });
  app.openapi(routes.ruleStats, async (c) => c.json({ rules: await store.ruleStats(c.get('actor')) }, 200));
  app.openapi(routes.listTemplates, async (c) => c.json({ templates: await store.listReasonTemplates() }, 200));
  app.openapi(routes.addTemplate, async (c) => c.json(await store.addReasonTemplate(c.get('actor'), c.req.valid('json')), 201));
  app.openapi(routes.disableTemplate, async (c) => {
    await store.disableReasonTemplate(c.get('actor'), c.req.valid('param').id);
    return c.json({ ok: true }, 200);
  });
  app.openapi(routes.addWebhook, async (c) => c.json(await store.addWebhook(c.get('actor'), c.req.valid('json')), 201));

  mountUi(app, store);
  extend?.(app);
  return app;
}

export type App = ReturnType<typeof createApp>;
