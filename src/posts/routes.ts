/** The posts API: submit a post or a new version, read a post with its review, compare two versions. */
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, MAX_BODY_CHARS, MAX_TITLE_CHARS } from '../store/errors.js';
import { allow, decimal, errors, Hit, IdParam, json, jsonBody, PostRef, router, security, Task, text, dateField } from '../http/openapi.js';
import type { Store } from '../service/programs.js';
import { DECISIONS, POST_STATUSES } from '../db/schema.js';
import { IDEMPOTENCY_KEY, requestHash, type Idempotency } from './idempotency.js';

const NewPostSchema = z
  .object({
    account: z.string().min(1).openapi({ example: '人社官微' }),
    title: text('title').optional().openapi({ example: '关于2026年社保缴费基数调整的通知' }),
    body: text('body').pipe(z.string().refine((b) => b.trim().length > 0, 'body must not be empty or only whitespace')).openapi({ description: `At most ${MAX_BODY_CHARS} characters (413 beyond).` }),
    platform: z.string().max(40).optional(),
    date: dateField.optional(),
  })
  .strict()
  .openapi('NewPost');

const NewVersionSchema = NewPostSchema.omit({ account: true }).openapi('NewVersion');

const Post = z
  .object({
    id: z.string(),
    status: z.enum(POST_STATUSES),
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
        classifier: z
          .object({
            label: z.string(),
            score: z.number(),
            scores: z.record(z.string(), z.number()).optional().openapi({ description: "Every label's probability." }),
            evidence: z
              .array(z.object({ start: z.number().int(), end: z.number().int(), label: z.string(), score: z.number() }))
              .optional()
              .openapi({ description: 'The windows of the text given to the model that drove the score, strongest first.' }),
          })
          .nullable(),
        rulesVersion: z.string(),
        modelVersion: z.string().nullable(),
        rulesOnly: z.boolean().openapi({ description: 'True when no classifier ran on this version: machine review is rules only, and a person reviews the post as always.' }),
        classifierSkipped: z.string().nullable().openapi({ description: 'Why the classifier did not run, e.g. "classifier unavailable on Workers".' }),
        modelFinding: z
          .object({
            category: z.string(),
            gate: z.string(),
            score: z.number(),
            model: z.string(),
            action: z.enum(['review', 'info']),
            message: z.string(),
            evidence: z.array(z.object({ field: z.enum(['title', 'body']), start: z.number().int(), end: z.number().int(), text: z.string(), score: z.number() })),
          })
          .nullable()
          .openapi({ description: 'The classifier\'s non-clean judgement as a finding: no span of its own, the windows that drove it; `review` when it alone raised the verdict (it never blocks), `info` below its threshold.' }),
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
        decision: z.enum(DECISIONS),
        reason: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
    overrides: z
      .array(z.object({ version: z.number().int(), actorId: z.number().int().nullable(), actorName: z.string().nullable(), reason: z.string(), at: z.string() }))
      .openapi({ description: 'Compliance overrides of a machine block, oldest first: the version, who overrode it and the stated reason.' }),
    publications: z.array(z.object({ id: z.number().int(), version: z.number().int(), platform: z.string().nullable(), url: z.string().nullable(), publishedAt: z.string() })),
  })
  .openapi('Post');

const DiffPart = z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() }).openapi('DiffPart');

const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: 'Retry safely: the same key with the same request within a day returns the first answer (header Idempotent-Replayed: true) instead of a second post; with another request, 409. 1–255 printable ASCII characters.' }),
});

const routes = {
  submit: createRoute({ summary: 'Submit a post for review', description: 'Stores version 1 and queues its machine review; the answer comes before the review does (status `submitted`).', tags: ['posts'], middleware: allow(['editor', 'admin'], 'submit posts'), method: 'post', path: '/api/posts', security, request: { headers: IdempotencyHeader, body: jsonBody(NewPostSchema) }, responses: { 201: json(PostRef, 'submitted'), ...errors(400, 401, 403, 409, 413) } }),
  resubmit: createRoute({ summary: 'Submit a new version of a post', description: 'After changes were requested (or while machine review is pending): voids the open review of the old version and queues machine review of the new one.', tags: ['posts'], method: 'post', path: '/api/posts/{id}/versions', security, request: { headers: IdempotencyHeader, params: IdParam, body: jsonBody(NewVersionSchema) }, responses: { 201: json(PostRef, 'new version submitted'), ...errors(400, 401, 403, 404, 409, 413) } }),
  getPost: createRoute({ summary: 'Read a post', description: 'The current version with its machine review (findings with offsets), review tasks, decisions and publications.', tags: ['posts'], method: 'get', path: '/api/posts/{id}', security, request: { params: IdParam }, responses: { 200: json(Post), ...errors(401, 404) } }),
  diff: createRoute({
    summary: 'Compare two versions of a post',
    tags: ['posts'],
    method: 'get',
    path: '/api/posts/{id}/diff',
    security,
    request: { params: IdParam, query: z.object({ from: decimal(1), to: decimal(1) }) },
    responses: { 200: json(z.object({ from: z.number(), to: z.number(), title: z.array(DiffPart), body: z.array(DiffPart) })), ...errors(400, 401, 404) },
  }),
};

/** Over-long text is 413 (not 400), with the field named. */
function checkSizes(body: { body: string; title?: string }) {
  if (body.body.length > MAX_BODY_CHARS) {
    throw new DomainError('too_large', `body has ${body.body.length} characters; at most ${MAX_BODY_CHARS} are accepted`, 'body');
  }
  if (body.title && body.title.length > MAX_TITLE_CHARS) {
    throw new DomainError('too_large', `title has ${body.title.length} characters; at most ${MAX_TITLE_CHARS} are accepted`, 'title');
  }
}

/** The request's Idempotency-Key (posts/idempotency.ts), checked; undefined without the header. */
function idempotency(key: string | undefined, scope: string, input: unknown): Idempotency | undefined {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new DomainError('invalid', 'Idempotency-Key must be 1 to 255 printable ASCII characters', 'Idempotency-Key');
  return { key, scope, requestHash: requestHash([scope, input]) };
}

export function postRoutes(store: Pick<Store, 'submitPost' | 'resubmitPost' | 'getPost' | 'versionDiff'>) {
  const app = router();

  app.openapi(routes.submit, async (c) => {
    const input = c.req.valid('json');
    checkSizes(input);
    const idem = idempotency(c.req.header('idempotency-key'), 'submit', input);
    const { replayed, ...r } = await store.submitPost(c.get('actor'), input, idem);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(r, 201);
  });

  app.openapi(routes.resubmit, async (c) => {
    const input = c.req.valid('json');
    checkSizes(input);
    const id = c.req.valid('param').id;
    const idem = idempotency(c.req.header('idempotency-key'), `resubmit:${id}`, input);
    const { replayed, ...r } = await store.resubmitPost(c.get('actor'), id, input, idem);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(r, 201);
  });

  app.openapi(routes.getPost, async (c) => c.json(await store.getPost(c.get('actor'), c.req.valid('param').id), 200));

  app.openapi(routes.diff, async (c) => {
    const q = c.req.valid('query');
    return c.json(await store.versionDiff(c.get('actor'), c.req.valid('param').id, q.from, q.to), 200);
  });

  return app;
}
