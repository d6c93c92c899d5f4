/**
 * The rules API for compliance: per-rule statistics, and rule management
 * (without a RulesApi those routes answer 404). A rule change re-checks the
 * published archive with today's rules.
 */
import { COMPLIANCE_ROLES } from '../users/roles.js';
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../store/errors.js';
import { allow, dateField, errors, Hit, json, jsonBody, router, security } from '../http/openapi.js';
import { ACTIONS, CATEGORIES, SEVERITIES } from '../review/types.js';
import { BOUNDARIES, KNOWLEDGE_CHECKS, VALIDATORS } from './pack.js';
import { MIN_MARKS } from './stats.js';
import { today } from '../review/dates.js';
import { requireCompliance } from '../users/roles.js';
import type { Store } from '../service/programs.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { Actor } from '../users/actor.js';
import type { RulesApi } from './admin.js';

const RuleIdParam = z.object({ ruleId: z.string().min(1).max(200).openapi({ param: { name: 'ruleId', in: 'path' } }) });

/**
 * The response schemas below describe a rule as the server holds it: the
 * output of RuleSchema (src/rules/pack.ts), so defaults are filled in
 * (`enabled`, a context's `within` and `side`, the example lists) and a bare
 * YAML number written as a term is text. test/http/rules-routes.test.ts
 * checks that RuleSpec names every field of RuleSchema.
 */
const termOptionsShape = {
  boundary: z.enum(BOUNDARIES).optional().openapi({ description: '`auto`: ASCII edges need non-alphanumeric neighbours, Chinese edges must not cut through a word; `word`: both edges on word boundaries; `none`: plain substring.' }),
  pinyin: z.boolean().optional().openapi({ description: 'Also match the term spelled in pinyin letters, and homophones of terms of three or more characters.' }),
  homophones: z.boolean().optional().openapi({ description: 'Also match homophones of two-character terms.' }),
  split: z.boolean().optional().openapi({ description: 'Also match characters written split into components (拆字).' }),
  numerals: z.boolean().optional().openapi({ description: 'Chinese numerals in the term also match their financial (壹) and Arabic (1) forms.' }),
};

const RuleTerm = z
  .union([
    z.string(),
    z.object({ text: z.string(), suggestion: z.string().optional().openapi({ description: "规范表述 for this term; overrides the rule's suggestion." }), ...termOptionsShape }),
  ])
  .openapi('RuleTerm', { description: 'A word or phrase, or one with its own options.' });

const RuleContext = z
  .object({
    terms: z.array(z.string()),
    within: z.union([z.number().int(), z.literal('sentence')]).openapi({ description: 'Distance in characters between the finding and a context term, or `sentence`: anywhere in the same sentence.' }),
    side: z.enum(['before', 'after', 'around']),
    stop: z.array(z.string()).optional().openapi({ description: "Phrases that end the cue's scope when they lie between the cue and the finding." }),
    pseudo: z.array(z.string()).optional().openapi({ description: 'Phrases holding a cue term that are not cues themselves.' }),
  })
  .openapi('RuleContext', { description: 'Phrases whose presence near a finding changes what it means.' });

const RuleContextRef = z.union([RuleContext, z.string().openapi({ description: "The name of a context defined under a pack's `contexts`." })]);

const RuleExample = z.union([z.string(), z.object({ text: z.string(), date: z.string().openapi({ description: 'Publication day the text is scanned for (YYYY-MM-DD).' }) })]);

const RuleSpec = z
  .object({
    id: z.string(),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    action: z.enum(ACTIONS),
    message: z.string().optional().openapi({ description: 'Why this is a finding, in Chinese, for editors.' }),
    suggestion: z.string().optional().openapi({ description: '规范表述 to use instead.' }),
    terms: z.array(RuleTerm).optional(),
    patterns: z.array(z.string()).optional().openapi({ description: 'JavaScript regular expressions run on the folded text.' }),
    followedBy: z.string().optional().openapi({ description: 'With terms: a pattern that must match right after the term; the finding covers both.' }),
    validator: z.enum(VALIDATORS).optional(),
    knowledge: z.enum(KNOWLEDGE_CHECKS).optional().openapi({ description: "A check against the packs' knowledge tables." }),
    options: z.object(termOptionsShape).optional().openapi({ description: "Defaults for this rule's terms." }),
    near: z.union([RuleContextRef, z.array(RuleContextRef)]).optional().openapi({ description: 'The rule fires only when one of these contexts holds.' }),
    unless: z
      .object({
        phrases: z.array(z.string()).optional().openapi({ description: 'Allow-listed phrases containing the finding.' }),
        near: z.array(RuleContextRef).optional().openapi({ description: 'Contexts that make the finding fine.' }),
        info: z.array(RuleContextRef).optional().openapi({ description: 'Contexts in which the finding is kept as `info` only.' }),
      })
      .optional(),
    validFrom: z.string().optional().openapi({ description: 'The rule applies to posts dated on or after this day (YYYY-MM-DD)…' }),
    validUntil: z.string().optional().openapi({ description: '…and before this day.' }),
    enabled: z.boolean(),
    examples: z
      .object({ hit: z.array(RuleExample), clean: z.array(RuleExample), info: z.array(RuleExample) })
      .optional()
      .openapi({ description: 'Texts the rule must fire on, must raise nothing on, and must note as `info` only.' }),
  })
  .openapi('RuleSpec', { description: 'A rule in the rule-pack schema (src/rules/pack.ts RuleSchema), defaults filled in.' });

const ruleViewShape = {
  id: z.string(),
  source: z.enum(['file', 'api']).openapi({ description: '`file`: from a rule pack file; `api`: created or changed through this API.' }),
  origin: z.string().openapi({ description: 'The pack file of a file rule; `api` for an API rule.' }),
  revision: z.number().int().nullable().openapi({ description: "An API rule's revision (1 when created, +1 per change); null for a file rule." }),
  enabled: z.boolean(),
  overridesFile: z.boolean().openapi({ description: 'An API rule that replaces a file rule of the same id.' }),
  spec: RuleSpec,
  updatedAt: z.string().nullable().openapi({ description: "When the API rule last changed; null for a file rule." }),
};

const Rule = z.object(ruleViewShape).openapi('Rule');

const RuleChange = z
  .object({
    ...ruleViewShape,
    cleanupRun: z.number().int().nullable().openapi({ description: 'The cleanup run started to re-check the published archive with the changed rules; null on a server without cleanup runs.' }),
  })
  .openapi('RuleChange', { description: 'The rule after the change.' });

const RuleHistoryEntry = z
  .object({
    id: z.number().int(),
    ruleId: z.string(),
    revision: z.number().int(),
    action: z.enum(['create', 'update', 'disable', 'enable']),
    before: z.union([RuleSpec, z.null()]).openapi({ description: 'The rule before the change; null when it was created.' }),
    after: RuleSpec,
    actorId: z.number().int().nullable().openapi({ description: 'The user who made the change.' }),
    at: z.string(),
  })
  .openapi('RuleHistoryEntry');

const RuleStat = z
  .object({
    rule: z.string(),
    gate: z.string(),
    category: z.string(),
    hits: z.number().int().openapi({ description: 'Findings of the rule in machine reviews.' }),
    posts: z.number().int().openapi({ description: 'Post versions with at least one finding of the rule.' }),
    falsePositives: z.number().int(),
    confirmed: z.number().int(),
    marks: z.number().int().openapi({ description: "Reviewers' marks on the rule's findings (false positive or confirmed): the sample behind the rate." }),
    falsePositiveRate: z.number().nullable().openapi({ description: `False-positive marks over all marks; null below ${MIN_MARKS} marks.` }),
  })
  .openapi('RuleStat');

const DryRunResult = z
  .object({
    scanned: z.number().int().openapi({ description: 'Published posts checked (current versions).' }),
    matchedPosts: z.number().int(),
    hits: z.number().int(),
    truncated: z.boolean().openapi({ description: 'More posts matched than `limit`; `posts` lists the first ones.' }),
    posts: z.array(z.object({ postId: z.string(), account: z.string(), title: z.string().nullable(), hits: z.array(Hit) })),
  })
  .openapi('RuleDryRun');

const tags = ['rules'];

const routes = {
  ruleStats: createRoute({ summary: 'Per-rule statistics', description: "Each rule's findings in machine reviews and reviewers' marks on them, most hits first.", tags, middleware: allow(COMPLIANCE_ROLES, 'read rule statistics'), method: 'get', path: '/api/rules/stats', security, responses: { 200: json(z.object({ rules: z.array(RuleStat) })), ...errors(401, 403) } }),
  listRules: createRoute({ summary: 'Every rule in force', description: 'File pack rules and API rules, by id; an API rule that overrides a file rule is listed once.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules', security, responses: { 200: json(z.object({ rules: z.array(Rule) })), ...errors(401, 403, 404) } }),
  getRule: createRoute({ summary: 'Read a rule', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules/{ruleId}', security, request: { params: RuleIdParam }, responses: { 200: json(Rule), ...errors(400, 401, 403, 404) } }),
  createRule: createRoute({ summary: 'Create a rule', description: 'An API rule with a new id (an id in use, file or API, is 409: update it instead); it takes effect without a restart and starts a re-check of the published archive.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'post',
    path: '/api/rules',
    security,
    request: { body: jsonBody(z.object({ id: z.string() }).passthrough().openapi({ description: 'A rule in the rule-pack schema (src/rules/pack.ts RuleSchema): id, category, severity, action, terms | patterns | validator | knowledge, options, near, unless, validFrom/validUntil, suggestion, message.' })) },
    responses: { 201: json(RuleChange, 'created'), ...errors(400, 401, 403, 404, 409) },
  }),
  updateRule: createRoute({ summary: 'Replace a rule', description: 'A new spec for a rule (file or API), stored as an API rule with the next revision; starts a re-check of the published archive.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'put',
    path: '/api/rules/{ruleId}',
    security,
    request: { params: RuleIdParam, body: jsonBody(z.object({}).passthrough().openapi({ description: 'The rule in the rule-pack schema, as for POST /api/rules; the id is the one in the path.' })) },
    responses: { 200: json(RuleChange), ...errors(400, 401, 403, 404) },
  }),
  disableRule: createRoute({ summary: 'Disable a rule', description: 'Stored as an API rule with `enabled: false`; starts a re-check of the published archive.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'post', path: '/api/rules/{ruleId}/disable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleChange), ...errors(400, 401, 403, 404) } }),
  enableRule: createRoute({ summary: 'Enable a rule', description: 'Stored as an API rule with `enabled: true`; starts a re-check of the published archive.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'post', path: '/api/rules/{ruleId}/enable', security, request: { params: RuleIdParam }, responses: { 200: json(RuleChange), ...errors(400, 401, 403, 404) } }),
  ruleHistory: createRoute({ summary: "A rule's change history", description: 'Every change made through this API, newest first: who, when, the rule before and after. Empty for a file rule never changed.', tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'), method: 'get', path: '/api/rules/{ruleId}/history', security, request: { params: RuleIdParam }, responses: { 200: json(z.object({ history: z.array(RuleHistoryEntry) })), ...errors(400, 401, 403, 404) } }),
  dryRun: createRoute({ summary: 'Try rules on the published archive', description: "Which published posts (current versions) a rule, or a set of rules, would hit, judged as of `asOf`, before it is enabled; nothing is stored.", tags, middleware: allow(COMPLIANCE_ROLES, 'manage rules'),
    method: 'post',
    path: '/api/rules/dry-run',
    security,
    request: { body: jsonBody(z.object({ rule: z.unknown().optional().openapi({ description: 'One rule in the rule-pack schema.' }), rules: z.array(z.unknown()).optional().openapi({ description: 'Several rules, tried together (instead of `rule`).' }), asOf: dateField.optional(), limit: z.number().int().min(1).max(1000).optional().openapi({ description: 'Matched posts to list (default 200).' }) }).strict()) },
    responses: { 200: json(DryRunResult), ...errors(400, 401, 403, 404) },
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
    return c.json({ rules: await needRules().list() }, 200);
  });
  app.openapi(routes.getRule, async (c) => {
    requireCompliance(c.get('actor'), 'manage rules');
    return c.json(await needRules().get(c.req.valid('param').ruleId), 200);
  });
  app.openapi(routes.createRule, async (c) => {
    const r = await needRules().create(c.get('actor'), c.req.valid('json'));
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 201);
  });
  app.openapi(routes.updateRule, async (c) => {
    const r = await needRules().update(c.get('actor'), c.req.valid('param').ruleId, c.req.valid('json'));
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.disableRule, async (c) => {
    const r = await needRules().setEnabled(c.get('actor'), c.req.valid('param').ruleId, false);
    return c.json({ ...r, cleanupRun: await afterRulesChange(c.get('actor')) }, 200);
  });
  app.openapi(routes.enableRule, async (c) => {
    const r = await needRules().setEnabled(c.get('actor'), c.req.valid('param').ruleId, true);
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
