/**
 * The compliance officers' side of the rules: list every rule in force (file
 * packs and API rules), create, update, disable and enable rules with a full
 * history, and dry-run a rule on the published archive before enabling it.
 * API rules live in SQLite and reach the workers as an overlay (overlay.ts).
 */
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiRules, ruleHistory } from '../db/schema.js';
import { appendAudit } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { requireCompliance } from '../auth/roles.js';
import { CATEGORY_GATE, type Hit } from '../review/types.js';
import type { Actor } from '../store/types.js';
import { today } from '../review/dates.js';
import { createRuleEngine, DEFAULT_RULES_DIR } from './engine.js';
import { loadPackDir, RuleSchema, type RuleSpec } from './pack.js';
import { applyOverlay, makeOverlay, type RulesOverlay } from './overlay.js';

export interface RuleView {
  id: string;
  source: 'file' | 'api';
  /** File path for file rules; revision for API rules. */
  origin: string;
  revision: number | null;
  enabled: boolean;
  /** An API rule that replaces a file rule of the same id. */
  overridesFile: boolean;
  spec: RuleSpec;
  updatedAt: string | null;
}

export interface DryRunResult {
  scanned: number;
  matchedPosts: number;
  hits: number;
  posts: Array<{ postId: string; account: string; title: string | null; hits: Hit[] }>;
  truncated: boolean;
}

function parseRule(input: unknown): RuleSpec {
  const r = RuleSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.map(String).join('.') || 'rule';
    throw new DomainError('invalid', `${field}: ${i.message}`, field);
  }
  try {
    createRuleEngine([{ source: 'api', pack: { pack: 'check', gate: CATEGORY_GATE[r.data.category], rules: [r.data] } }]);
  } catch (err) {
    throw new DomainError('invalid', `rule does not compile: ${(err as Error).message}`, 'rule');
  }
  return r.data;
}


export class RuleAdmin {
  private cached: RulesOverlay | null = null;

  constructor(
    private readonly db: Db,
    private readonly rulesDir: string = DEFAULT_RULES_DIR,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The API rules as the overlay jobs carry (cached until the next change). */
  overlay(): RulesOverlay {
    if (!this.cached) {
      const rows = this.db.select().from(apiRules).orderBy(asc(apiRules.id)).all();
      this.cached = makeOverlay(rows.map((r) => r.spec as RuleSpec));
    }
    return this.cached;
  }

  list(): RuleView[] {
    const api = new Map(this.db.select().from(apiRules).all().map((r) => [r.id, r]));
    const out: RuleView[] = [];
    const fileIds = new Set<string>();
    for (const p of loadPackDir(this.rulesDir)) {
      for (const spec of p.pack.rules) {
        fileIds.add(spec.id);
        if (api.has(spec.id)) continue;
        out.push({ id: spec.id, source: 'file', origin: p.source, revision: null, enabled: spec.enabled !== false, overridesFile: false, spec, updatedAt: null });
      }
    }
    for (const r of api.values()) {
      const spec = r.spec as RuleSpec;
      out.push({ id: r.id, source: 'api', origin: 'api', revision: r.revision, enabled: spec.enabled !== false, overridesFile: fileIds.has(r.id), spec, updatedAt: r.updatedAt });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): RuleView {
    const r = this.list().find((x) => x.id === id);
    if (!r) throw new DomainError('not_found', `no rule ${id}`);
    return r;
  }

  /** Creates an API rule; an id already in use (file or API) is a conflict — update it instead. */
  create(actor: Actor, input: unknown): RuleView {
    requireCompliance(actor, 'manage rules');
    const spec = parseRule(input);
    if (this.list().some((r) => r.id === spec.id)) throw new DomainError('conflict', `rule ${spec.id} exists; use PUT /api/rules/${spec.id}`, 'id');
    this.write(actor, spec, 'create', null);
    return this.get(spec.id);
  }

  /** Replaces a rule (file or API) with a new spec, stored as an API rule. */
  update(actor: Actor, id: string, input: unknown): RuleView {
    requireCompliance(actor, 'manage rules');
    const spec = parseRule({ ...(input as object), id });
    const before = this.get(id);
    this.write(actor, spec, 'update', before.spec);
    return this.get(id);
  }

  setEnabled(actor: Actor, id: string, enabled: boolean): RuleView {
    requireCompliance(actor, 'manage rules');
    const before = this.get(id);
    if (before.enabled === enabled) return before;
    this.write(actor, { ...before.spec, enabled }, enabled ? 'enable' : 'disable', before.spec);
    return this.get(id);
  }

  history(id: string) {
    return this.db
      .select()
      .from(ruleHistory)
      .where(eq(ruleHistory.ruleId, id))
      .orderBy(desc(ruleHistory.id))
      .all();
  }

  private write(actor: Actor, spec: RuleSpec, action: 'create' | 'update' | 'disable' | 'enable', before: RuleSpec | null): void {
    const at = this.now().toISOString();
    this.db.transaction(
      (tx) => {
        const prev = tx.select().from(apiRules).where(eq(apiRules.id, spec.id)).get();
        const revision = (prev?.revision ?? 0) + 1;
        tx.insert(apiRules)
          .values({ id: spec.id, spec: spec as unknown as Record<string, unknown>, revision, updatedBy: actor.id, updatedAt: at })
          .onConflictDoUpdate({ target: apiRules.id, set: { spec: spec as unknown as Record<string, unknown>, revision, updatedBy: actor.id, updatedAt: at } })
          .run();
        tx.insert(ruleHistory).values({ ruleId: spec.id, revision, action, before, after: spec, actorId: actor.id, at }).run();
        appendAudit(tx, { actorId: actor.id, action: `rule.${action}`, entityType: 'rule', entityId: spec.id, data: { revision } }, this.now());
      },
      { behavior: 'immediate' },
    );
    this.cached = null;
  }

  /**
   * Which published posts a rule (or a whole candidate rule set) would hit,
   * before it is enabled. The rule is run alone, on each post's current
   * version, judged as of `asOf` (default today). Yields to the event loop
   * between chunks so the server keeps answering.
   */
  async dryRun(actor: Actor, input: { rule?: unknown; rules?: unknown[]; asOf?: string; limit?: number }): Promise<DryRunResult> {
    requireCompliance(actor, 'manage rules');
    const specs = (input.rules ?? (input.rule !== undefined ? [input.rule] : [])).map(parseRule);
    if (specs.length === 0) throw new DomainError('invalid', 'give a rule or rules to try', 'rule');
    const enabled = specs.map((s) => ({ ...s, enabled: true }));
    const engine = createRuleEngine(applyOverlay([], makeOverlay(enabled)));
    const asOf = input.asOf ?? today();
    const limit = input.limit ?? 200;
    const page = this.db.$client.prepare(
      `SELECT p.rowid AS rowid, p.id AS postId, a.name AS account, v.title, v.body, v.platform FROM posts p
       JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version
       JOIN accounts a ON a.id = p.account_id
       WHERE p.status IN ('published','annotated') AND p.rowid > ? ORDER BY p.rowid LIMIT 2000`,
    );
    const result: DryRunResult = { scanned: 0, matchedPosts: 0, hits: 0, posts: [], truncated: false };
    let after = 0;
    for (;;) {
      const rows = page.all(after) as Array<{ rowid: number; postId: string; account: string; title: string | null; body: string; platform: string | null }>;
      if (rows.length === 0) break;
      for (const r of rows) {
        const hits = engine.scan({ id: r.postId, ...(r.title != null ? { title: r.title } : {}), body: r.body, ...(r.platform ? { platform: r.platform } : {}), account: r.account, date: asOf });
        result.scanned++;
        if (hits.length === 0) continue;
        result.matchedPosts++;
        result.hits += hits.length;
        if (result.posts.length < limit) result.posts.push({ postId: r.postId, account: r.account, title: r.title, hits });
        else result.truncated = true;
      }
      after = rows[rows.length - 1]!.rowid;
      await new Promise((r) => setImmediate(r));
    }
    return result;
  }
}
