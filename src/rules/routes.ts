/**
 * The rules API for compliance: per-rule statistics, and rule management
 * (without a RulesApi those routes answer 404). A rule change re-checks the
 * published archive with today's rules.
 */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../store/errors.js';
import { allow, dateField, errors, json, jsonBody, router, security } from '../http/openapi.js';
import { today } from '../review/dates.js';
import { requireCompliance } from '../users/roles.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { Actor } from '../users/actor.js';
import type { RulesApi } from './admin.js';

const RuleIdParam = z.object({ ruleId: z.string().min(1).max(200).openapi({ param: { name: 'ruleId', in: 'path' } }) });
const RuleViewSchema = z.object({ id: z.string(), source: z.enum(['file', 'api']), enabled: z.boolean(), spec: z.unknown() }).passthrough().openapi('Rule');

const routes = {
  ruleStats: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'read rule statistics'), method: 'get', path: '/api/rules/stats', security, responses: { 200: json(z.object({ rules: z.array(z.object({ rule: z.string() }).passthrough()) })), ...errors(401, 403) } }),
  listRules: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules', security, responses: { 200: json(z.object({ rules: z.array(z.object({ id: z.string(), source: z.string(), enabled: z.boolean() }).passthrough()) })), ...errors(401, 403) } }),
  getRule: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules/{ruleId}', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  createRule: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'post',
    path: '/api/rules',
    security,
    request: { body: jsonBody(z.object({ id: z.string() }).passthrough().openapi({ description: 'A rule in the rule-pack schema (src/rules/pack.ts RuleSchema): id, category, severity, action, terms | patterns | validator, options, near, unless, validFrom/validUntil, suggestion, message.' })) },
    responses: { 201: json(RuleViewSchema, 'created'), ...errors(400, 401, 403, 409) },
  }),
  updateRule: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'put',
    path: '/api/rules/{ruleId}',
    security,
    request: { params: RuleIdParam, body: jsonBody(z.object({}).passthrough()) },
    responses: { 200: json(RuleViewSchema), ...errors(400, 401, 403, 404) },
  }),
  disableRule: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'post', path: '/api/rules/{ruleId}/disable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  enableRule: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'post', path: '/api/rules/{ruleId}/enable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleViewSchema), ...errors(401, 403, 404) } }),
  ruleHistory: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules/{ruleId}/history', security, request: { params: RuleIdParam }, responses: { 200: json(z.object({ history: z.array(z.unknown()) })), ...errors(401, 403) } }),
  dryRun: createRoute({ middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'post',
    path: '/api/rules/dry-run',
    security,
    request: { body: jsonBody(z.object({ rule: z.unknown().optional(), rules: z.array(z.unknown()).optional(), asOf: dateField.optional(), limit: z.number().int().min(1).max(1000).optional() }).strict()) },
    responses: { 200: json(z.object({ scanned: z.number(), matchedPosts: z.number(), hits: z.number(), truncated: z.boolean(), posts: z.array(z.unknown()) })), ...errors(400, 401, 403) },
  }),
};

export function ruleRoutes(store: Pick<Store, 'ruleStats'>, rules?: RulesApi, cleanup?: CleanupApi) {
  const app = router();

  // Before /api/rules/{ruleId}, which would match "stats" too.
  app.openapi(routes.ruleStats, async (c) => c.json({ rules: await store.ruleStats(c.get('actor')) }, 200));

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

  return app;
}
