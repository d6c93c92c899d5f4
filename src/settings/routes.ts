/** The settings API: the classifier thresholds in force, and changing them (compliance). */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { createRoute, z } from '@hono/zod-openapi';
import { allow, errors, json, jsonBody, router, security } from '../http/openapi.js';
import { CLASSIFIER_NEVER_BLOCKS } from '../config.js';
import type { Store } from '../service/programs.js';

const routes = {
  getThresholds: createRoute({
    summary: 'Classifier thresholds in force',
    description: 'Per label, the probability at which the classifier alone raises a post to human review; `block` is always null (the classifier never blocks on its own).',
    tags: ['settings'],
    method: 'get',
    path: '/api/settings/classifier-thresholds',
    security,
    responses: { 200: json(z.object({ thresholds: z.record(z.string(), z.object({ review: z.number().nullable(), block: z.null() })) })), ...errors(401) },
  }),
  putThresholds: createRoute({ summary: 'Change classifier thresholds', description: 'Compliance only; audited. Labels left out keep their thresholds.', tags: ['settings'], middleware: allow(COMPLIANCE_ROLES, 'change classifier thresholds'),
    method: 'put',
    path: '/api/settings/classifier-thresholds',
    security,
    request: {
      body: jsonBody(
        z.record(
          z.enum(['secret', 'political', 'illegal', 'ads', 'vulgar']),
          z.object({ review: z.number().min(0).max(1).nullable().optional(), block: CLASSIFIER_NEVER_BLOCKS.optional() }).strict(),
        ),
      ),
    },
    responses: { 200: json(z.object({ thresholds: z.record(z.string(), z.object({ review: z.number().nullable(), block: z.null() })) })), ...errors(400, 401, 403) },
  }),
};

export function settingsRoutes(store: Pick<Store, 'verdictPolicy' | 'setClassifierThresholds'>) {
  const app = router();

  app.openapi(routes.getThresholds, async (c) => c.json({ thresholds: (await store.verdictPolicy()).classifier as Record<string, { review: number | null; block: null }> }, 200));
  app.openapi(routes.putThresholds, async (c) => {
    const policy = await store.setClassifierThresholds(c.get('actor'), c.req.valid('json') as Record<string, { review?: number | null; block?: null }>);
    return c.json({ thresholds: policy.classifier as Record<string, { review: number | null; block: null }> }, 200);
  });

  return app;
}
