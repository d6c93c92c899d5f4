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
import { isValidDate, today } from '../review/dates.js';
import type { Actor } from '../users/actor.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { RulesApi } from '../rules/admin.js';
import type { Store } from '../service/programs.js';
import { PolicyInput, PolicyPatch, parsePolicyFile } from '../policy/registry.js';
import { mountUi } from '../ui/app.js';
import { requireCompliance } from '../users/roles.js';

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
        rulesOnly: z.boolean().openapi({ description: 'True when no classifier ran on this version: machine review is rules only, and a person reviews the post as always.' }),
        classifierSkipped: z.string().nullable().openapi({ description: 'Why the classifier did not run, e.g. "classifier unavailable on Workers".' }),
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

const RuleIdParam = z.object({ ruleId: z.string().min(1).max(200).openapi({ param: { name: 'ruleId', in: 'path' } }) });
const RuleViewSchema = z.object({ id: z.string(), source: z.enum(['file', 'api']), enabled: z.boolean(), spec: z.unknown() }).passthrough().openapi('Rule');

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
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z
              .object({
                platform: z.string().max(40).optional(),
                url: z.string().url().max(2000).optional().openapi({ description: 'Platform URL of the published post (manual publisher).' }),
                overrideReason: text('overrideReason').pipe(z.string().max(2000)).optional().openapi({ description: 'Required to publish outside the account’s window or before an embargo.' }),
              })
              .strict(),
          },
        },
      },
    },
    responses: { 200: json(z.object({ id: z.string(), status: z.string(), publicationId: z.number().int(), url: z.string().nullable() })), ...errors(400, 401, 403, 404, 409) },
  }),
  schedule: createRoute({
    method: 'post',
    path: '/api/posts/{id}/schedule',
    security,
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({
            publishAt: z.string().datetime({ offset: true }),
            embargoUntil: z.string().datetime({ offset: true }).optional(),
            overrideReason: text('overrideReason').pipe(z.string().max(2000)).optional(),
          })
          .strict(),
      ),
    },
    responses: { 200: json(z.object({ id: z.string(), status: z.string(), publishAt: z.string() })), ...errors(400, 401, 403, 404, 409) },
  }),
  accountSettings: createRoute({
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
  addPolicy: createRoute({
    method: 'post',
    path: '/api/policies',
    security,
    request: { body: jsonBody(PolicyInput) },
    responses: { 201: json(z.object({ id: z.number() }).passthrough(), 'created or updated (by 文号, else title)'), ...errors(400, 401, 403) },
  }),
  patchPolicy: createRoute({
    method: 'patch',
    path: '/api/policies/{id}',
    security,
    request: { params: TaskIdParam, body: jsonBody(PolicyPatch) },
    responses: { 200: json(z.object({ id: z.number() }).passthrough()), ...errors(400, 401, 403, 404) },
  }),
  listPolicies: createRoute({ method: 'get', path: '/api/policies', security, responses: { 200: json(z.object({ policies: z.array(z.object({ id: z.number() }).passthrough()) })), ...errors(401) } }),
  importPolicies: createRoute({
    method: 'post',
    path: '/api/policies/import',
    security,
    request: { body: { required: true, content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(z.unknown()) } } } },
    responses: { 200: json(z.object({ created: z.number(), updated: z.number(), cleanupRun: z.number().nullable() })), ...errors(400, 401, 403) },
  }),
  previewPolicy: createRoute({
    method: 'post',
    path: '/api/policies/preview',
    security,
    request: { body: jsonBody(z.object({ id: z.number().int().optional(), docNo: z.string().optional(), title: z.string().optional(), status: PolicyInput.shape.status }).strict()) },
    responses: { 200: json(z.object({ wouldFlag: z.number(), citing: z.number(), posts: z.array(z.object({ postId: z.string() }).passthrough()) }).passthrough()), ...errors(400, 401, 403) },
  }),
  runCleanup: createRoute({
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
  cleanupRun: createRoute({ method: 'get', path: '/api/cleanup/runs/{id}', security, request: { params: TaskIdParam }, responses: { 200: json(z.object({ id: z.number(), percent: z.number() }).passthrough()), ...errors(401, 404) } }),
  cleanupTasks: createRoute({
    method: 'get',
    path: '/api/cleanup/tasks',
    security,
    request: { query: z.object({ postId: z.string().optional(), state: z.enum(['open', 'decided', 'fixed']).optional(), kind: z.enum(['rescan', 'policy', 'deadline', 'link_broken', 'link_foreign']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    responses: { 200: json(z.object({ tasks: z.array(z.object({ id: z.number(), postId: z.string(), kind: z.string(), recommendedAction: z.string() }).passthrough()) })), ...errors(400, 401) },
  }),
  decideCleanup: createRoute({
    method: 'post',
    path: '/api/cleanup/tasks/{id}/decision',
    security,
    request: { params: TaskIdParam, body: jsonBody(z.object({ action: z.enum(['withdraw', 'annotate', 'update', 'keep']), reason: text('reason').pipe(z.string().max(2000)).optional() }).strict()) },
    responses: { 200: json(z.object({ id: z.number(), state: z.string(), decision: z.string(), postStatus: z.string() })), ...errors(400, 401, 403, 404, 409) },
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
  getThresholds: createRoute({
    method: 'get',
    path: '/api/settings/classifier-thresholds',
    security,
    responses: { 200: json(z.object({ thresholds: z.record(z.string(), z.object({ review: z.number().nullable(), block: z.number().nullable() })) })), ...errors(401) },
  }),
  putThresholds: createRoute({
    method: 'put',
    path: '/api/settings/classifier-thresholds',
    security,
    request: {
      body: jsonBody(
        z.record(
          z.enum(['secret', 'political', 'illegal', 'ads', 'vulgar']),
          z.object({ review: z.number().min(0).max(1).nullable().optional(), block: z.number().min(0).max(1).nullable().optional() }).strict(),
        ),
      ),
    },
    responses: { 200: json(z.object({ thresholds: z.record(z.string(), z.object({ review: z.number().nullable(), block: z.number().nullable() })) })), ...errors(400, 401, 403) },
  }),
  listRules: createRoute({ method: 'get', path: '/api/rules', security, responses: { 200: json(z.object({ rules: z.array(z.object({ id: z.string(), source: z.string(), enabled: z.boolean() }).passthrough()) })), ...errors(401, 403) } }),
  getRule: createRoute({ method: 'get', path: '/api/rules/{ruleId}', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  createRule: createRoute({
    method: 'post',
    path: '/api/rules',
    security,
    request: { body: jsonBody(z.object({ id: z.string() }).passthrough().openapi({ description: 'A rule in the rule-pack schema (src/rules/pack.ts RuleSchema): id, category, severity, action, terms | patterns | validator, options, near, unless, validFrom/validUntil, suggestion, message.' })) },
    responses: { 201: json(RuleViewSchema, 'created'), ...errors(400, 401, 403, 409) },
  }),
  updateRule: createRoute({
    method: 'put',
    path: '/api/rules/{ruleId}',
    security,
    request: { params: RuleIdParam, body: jsonBody(z.object({}).passthrough()) },
    responses: { 200: json(RuleViewSchema), ...errors(400, 401, 403, 404) },
  }),
  disableRule: createRoute({ method: 'post', path: '/api/rules/{ruleId}/disable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  enableRule: createRoute({ method: 'post', path: '/api/rules/{ruleId}/enable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  ruleHistory: createRoute({ method: 'get', path: '/api/rules/{ruleId}/history', security, request: { params: RuleIdParam }, responses: { 200: json(z.object({ history: z.array(z.unknown()) })), ...errors(401, 403) } }),
  dryRun: createRoute({
    method: 'post',
    path: '/api/rules/dry-run',
    security,
    request: { body: jsonBody(z.object({ rule: z.unknown().optional(), rules: z.array(z.unknown()).optional(), asOf: dateField.optional(), limit: z.number().int().min(1).max(1000).optional() }).strict()) },
    responses: { 200: json(z.object({ scanned: z.number(), matchedPosts: z.number(), hits: z.number(), truncated: z.boolean(), posts: z.array(z.unknown()) })), ...errors(400, 401, 403) },
  }),
  me: createRoute({ method: 'get', path: '/api/me', security, responses: { 200: json(z.object({ id: z.number(), name: z.string(), role: z.string(), accountIds: z.array(z.number()) })), ...errors(401) } }),
};

function errorResponse(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 502, error: string, field?: string) {
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
  /** Cleanup runs over the published archive; without it the /api/cleanup/run routes answer 404. */
  cleanup?: CleanupApi;
  /** Rule management (compliance); without it the /api/rules routes answer 404. */
  rules?: RulesApi;
  /** Extra routes (e.g. the reviewer UI) mounted on the same app. */
  extend?: (app: OpenAPIHono<Env>) => void;
}

export function createApp({ store, cleanup, rules, extend }: AppOptions) {
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
    let target: { platform?: string; url?: string; overrideReason?: string } = {};
    if ((c.req.header('content-type') ?? '').includes('application/json')) target = c.req.valid('json') ?? {};
    return c.json(await store.publish(c.get('actor'), c.req.valid('param').id, target), 200);
  });
  app.openapi(routes.schedule, async (c) => c.json(await store.schedulePost(c.get('actor'), c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(routes.accountSettings, async (c) => c.json((await store.setAccountSettings(c.get('actor'), c.req.valid('param').name, c.req.valid('json'))) as { account: string }, 200));
  app.openapi(routes.freshness, async (c) => {
    const date = c.req.valid('query').date ?? today();
    return c.json({ date, accounts: await store.accountFreshness(date) }, 200);
  });

  /** A registry change that flags posts starts a policy cleanup run at once. */
  const afterRegistryChange = async (actor: Actor) => (cleanup ? (await cleanup.startRun({ trigger: 'policy_change', checks: ['policy'], asOf: today(), actorId: actor.id })).id : null);
  app.openapi(routes.addPolicy, async (c) => {
    const r = await store.addPolicy(c.get('actor'), c.req.valid('json'));
    const cleanupRun = r.created && r.policy.status === 'effective' ? null : await afterRegistryChange(c.get('actor'));
    return c.json({ ...r.policy, created: r.created, cleanupRun }, 201);
  });
  app.openapi(routes.patchPolicy, async (c) => {
    const r = await store.updatePolicy(c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...r.policy, cleanupRun: await afterRegistryChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.listPolicies, async (c) => c.json({ policies: await store.listPolicies() }, 200));
  app.openapi(routes.importPolicies, async (c) => {
    const text = await c.req.text();
    const { rows, errors } = parsePolicyFile(text, 'request body');
    if (errors.length) throw new DomainError('invalid', errors.slice(0, 20).join('\n'), 'body');
    const r = await store.importPolicies(c.get('actor'), rows);
    return c.json({ ...r, cleanupRun: await afterRegistryChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.previewPolicy, async (c) => c.json(await store.previewPolicyChange(c.get('actor'), c.req.valid('json')), 200));
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
  app.openapi(routes.getThresholds, async (c) => c.json({ thresholds: (await store.verdictPolicy()).classifier as Record<string, { review: number | null; block: number | null }> }, 200));
  app.openapi(routes.putThresholds, async (c) => {
    const policy = await store.setClassifierThresholds(c.get('actor'), c.req.valid('json') as Record<string, { review?: number | null; block?: number | null }>);
    return c.json({ thresholds: policy.classifier as Record<string, { review: number | null; block: number | null }> }, 200);
  });
  const needRules = (): RulesApi => {
    if (!rules) throw new DomainError('not_found', 'rule management is not available on this server');
    return rules;
  };
  /** A rule change re-checks the published archive with today's rules. */
  const afterRulesChange = async (actor: Actor) => (cleanup ? (await cleanup.startRun({ trigger: 'rules_change', checks: ['rescan'], asOf: today(), actorId: actor.id })).id : null);
  app.openapi(routes.listRules, async (c) => {
    requireCompliance(c.get('actor'), 'manage rules');
    return c.json({ rules: (await needRules().list()) as Array<{ id: string; source: string; enabled: boolean }> }, 200);
  });
  app.openapi(routes.getRule, async (c) => {
    requireCompliance(c.get('actor'), 'manage rules');
    return c.json((await needRules().get(c.req.valid('param').ruleId)) as z.infer<typeof RuleViewSchema>, 200);
  });
  app.openapi(routes.createRule, async (c) => {
    const r = (await needRules().create(c.get('actor'), c.req.valid('json'))) as z.infer<typeof RuleViewSchema>;
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 201);
  });
  app.openapi(routes.updateRule, async (c) => {
    const r = (await needRules().update(c.get('actor'), c.req.valid('param').ruleId, c.req.valid('json'))) as z.infer<typeof RuleViewSchema>;
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.disableRule, async (c) => {
    const r = (await needRules().setEnabled(c.get('actor'), c.req.valid('param').ruleId, false)) as z.infer<typeof RuleViewSchema>;
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.enableRule, async (c) => {
    const r = (await needRules().setEnabled(c.get('actor'), c.req.valid('param').ruleId, true)) as z.infer<typeof RuleViewSchema>;
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.ruleHistory, async (c) => {
    requireCompliance(c.get('actor'), 'manage rules');
    return c.json({ history: await needRules().history(c.req.valid('param').ruleId) }, 200);
  });
  app.openapi(routes.dryRun, async (c) => {
    const b = c.req.valid('json');
    return c.json(await needRules().dryRun(c.get('actor'), b), 200);
  });
  app.openapi(routes.addWebhook, async (c) => c.json(await store.addWebhook(c.get('actor'), c.req.valid('json')), 201));

  mountUi(app, store, cleanup);
  extend?.(app);
  return app;
}

export type App = ReturnType<typeof createApp>;
