/** The publishing API: publish an approved post now, or schedule it. */
import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody, router, security, text } from '../http/openapi.js';
import type { Store } from '../service/programs.js';
import { POST_STATUSES } from '../db/schema.js';

const routes = {
  publish: createRoute({
    summary: 'Publish an approved post now',
    description: 'Only the version that received every required approval; outside the account’s window or before an embargo only with an override reason. A webhook publisher is called and must answer 2xx (else 502).',
    tags: ['publishing'],
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
    responses: { 200: json(z.object({ id: z.string(), status: z.enum(POST_STATUSES), publicationId: z.number().int(), url: z.string().nullable() })), ...errors(400, 401, 403, 404, 409, 502) },
  }),
  schedule: createRoute({
    summary: 'Schedule an approved post',
    description: 'The scheduler publishes it at `publishAt` (not before `embargoUntil`), inside the account’s window unless an override reason is given.',
    tags: ['publishing'],
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
    responses: { 200: json(z.object({ id: z.string(), status: z.enum(POST_STATUSES), publishAt: z.string() })), ...errors(400, 401, 403, 404, 409) },
  }),
};

export function publishRoutes(store: Pick<Store, 'publish' | 'schedulePost'>) {
  const app = router();

  app.openapi(routes.publish, async (c) => {
    let target: { platform?: string; url?: string; overrideReason?: string } = {};
    if ((c.req.header('content-type') ?? '').includes('application/json')) target = c.req.valid('json') ?? {};
    return c.json(await store.publish(c.get('actor'), c.req.valid('param').id, target), 200);
  });
  app.openapi(routes.schedule, async (c) => c.json(await store.schedulePost(c.get('actor'), c.req.valid('param').id, c.req.valid('json')), 200));

  return app;
}
