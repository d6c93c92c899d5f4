/**
 * The policy registry API. A change that may flag published posts (anything
 * but a new effective policy) starts a policy cleanup run at once.
 */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../store/errors.js';
import { allow, errors, json, jsonBody, NumericIdParam, router, security } from '../http/openapi.js';
import { today } from '../review/dates.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { Actor } from '../users/actor.js';
import { POLICY_STATUSES, PolicyInput, PolicyPatch, parsePolicyFile } from './registry.js';

const Policy = z
  .object({
    id: z.number().int(),
    docNo: z.string().nullable().openapi({ description: 'The 文号 in canonical form, e.g. 沪人社规〔2023〕12号.' }),
    title: z.string(),
    issuedAt: z.string().nullable(),
    status: z.enum(POLICY_STATUSES),
    replacedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Policy');

/** The cleanup run a registry change started (null when it cannot flag a post, or cleanup is not available). */
const CleanupRunId = z.number().int().nullable().openapi({ description: 'The policy cleanup run this change started, if any.' });

const routes = {
  addPolicy: createRoute({ summary: 'Add or update a policy', description: 'Matched by 文号, else by title. Anything but a new effective policy starts a policy cleanup run of the published archive.', tags: ['policies'], middleware: allow(COMPLIANCE_ROLES, 'manage the policy registry'),
    method: 'post',
    path: '/api/policies',
    security,
    request: { body: jsonBody(PolicyInput) },
    responses: { 201: json(Policy.extend({ created: z.boolean(), cleanupRun: CleanupRunId }), 'created or updated (by 文号, else title)'), ...errors(400, 401, 403) },
  }),
  patchPolicy: createRoute({ summary: 'Change a policy', description: 'E.g. mark it repealed or amended; starts a policy cleanup run.', tags: ['policies'], middleware: allow(COMPLIANCE_ROLES, 'manage the policy registry'),
    method: 'patch',
    path: '/api/policies/{id}',
    security,
    request: { params: NumericIdParam, body: jsonBody(PolicyPatch) },
    responses: { 200: json(Policy.extend({ cleanupRun: CleanupRunId })), ...errors(400, 401, 403, 404) },
  }),
  listPolicies: createRoute({ summary: 'The policy registry', tags: ['policies'], method: 'get', path: '/api/policies', security, responses: { 200: json(z.object({ policies: z.array(Policy) })), ...errors(401) } }),
  importPolicies: createRoute({ summary: 'Import the policy registry', description: 'CSV (文号,标题,发布日期,状态,替代文件) or a JSON array of policies; nothing is written if any row is invalid (the error lists the lines).', tags: ['policies'], middleware: allow(COMPLIANCE_ROLES, 'manage the policy registry'),
    method: 'post',
    path: '/api/policies/import',
    security,
    request: { body: { required: true, content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(PolicyInput) } } } },
    responses: { 200: json(z.object({ created: z.number().int(), updated: z.number().int(), cleanupRun: CleanupRunId })), ...errors(400, 401, 403) },
  }),
  previewPolicy: createRoute({ summary: 'Preview what a registry change would flag', description: 'The published posts citing the policy, before the change is saved.', tags: ['policies'], middleware: allow(COMPLIANCE_ROLES, 'manage the policy registry'),
    method: 'post',
    path: '/api/policies/preview',
    security,
    request: { body: jsonBody(z.object({ id: z.number().int().optional(), docNo: z.string().optional(), title: z.string().optional(), status: PolicyInput.shape.status }).strict()) },
    responses: {
      200: json(
        z.object({
          policyId: z.number().int().nullable().openapi({ description: 'The registry entry the change is about (null: a policy not yet in the registry).' }),
          wouldFlag: z.number().int(),
          citing: z.number().int(),
          posts: z.array(z.object({ postId: z.string(), account: z.string(), title: z.string().nullable(), cited: z.string() })),
        }),
      ),
      ...errors(400, 401, 403),
    },
  }),
};

export function policyRoutes(store: Pick<Store, 'addPolicy' | 'updatePolicy' | 'listPolicies' | 'importPolicies' | 'previewPolicyChange'>, cleanup?: CleanupApi) {
  const app = router();

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

  return app;
}
