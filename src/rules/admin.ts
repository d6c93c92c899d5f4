/**
 * The compliance officers' side of the rules: list every rule in force (file
 * packs and API rules), create, update, disable and enable rules with a full
 * history, and dry-run a rule on the published archive before enabling it.
 * API rules live in SQLite and reach the workers as an overlay (overlay.ts).
 *
 * The database logic is written once as programs (RulePrograms, see
 * src/store/program.ts). RuleAdmin runs them on better-sqlite3 with runSync
 * (each change in one IMMEDIATE transaction), as the Node server always did;
 * asyncRules runs the same programs with runAsync on an async drizzle driver
 * (Cloudflare D1).
 *
 * Node-only, and what an edge runtime must supply instead: the file packs.
 * RuleAdmin reads them from the rules directory on every listing
 * (loadPackDir, node:fs); asyncRules takes them as a function returning
 * LoadedPack[], so a Worker passes packs bundled at build time (the same
 * parsePacks output of YAML imported as text, src/edge/packs.ts). engine.ts
 * and pack.ts still import node:fs/node:path, which nodejs_compat provides;
 * nothing Node-only runs at module load (defaultRulesDir() is lazy).
 */
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiRules, ruleHistory } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { requireCompliance } from '../users/roles.js';
import { CATEGORY_GATE, type Hit } from '../review/types.js';
import type { Actor } from '../users/actor.js';
import { today } from '../review/dates.js';
import { afterCommit, all, get, programDb, rows, run, type AsyncApi, type MaybePromise, type Program, type StoreDb } from '../store/program.js';
import { syncRunner, type SyncRunner } from '../store/sync.js';
import { asyncAdapter, type AsyncDb } from '../store/async.js';
import { createRuleEngine, defaultRulesDir } from './engine.js';
import type { PackInput } from './compile.js';
import { loadPackDir, RuleSchema, type LoadedPack, type RuleSpec } from './pack.js';
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

/** One change to an API rule (rule_history): `before` is null when the rule was created; write() always sets `after`. */
export type RuleHistoryRow = Omit<typeof ruleHistory.$inferSelect, 'before' | 'after'> & { before: RuleSpec | null; after: RuleSpec };

export interface DryRunResult {
  scanned: number;
  matchedPosts: number;
  hits: number;
  posts: Array<{ postId: string; account: string; title: string | null; hits: Hit[] }>;
  truncated: boolean;
}

/**
 * The file packs' named contexts and knowledge tables without their rules, so
 * an API rule can refer to `warning` or use a `knowledge` check and still be
 * compiled (and dry-run) on its own.
 */
function contextCarriers(packs: readonly LoadedPack[]): PackInput[] {
  return packs
    .filter((p) => p.pack.contexts || p.pack.tables)
    .map((p) => ({ source: p.source, pack: { pack: `${p.pack.pack}-contexts`, gate: p.pack.gate, ...(p.pack.contexts ? { contexts: p.pack.contexts } : {}), ...(p.pack.tables ? { tables: p.pack.tables } : {}), rules: [] } }));
}

function parseRule(input: unknown, carriers: readonly PackInput[]): RuleSpec {
  const r = RuleSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.map(String).join('.') || 'rule';
    throw new DomainError('invalid', `${field}: ${i.message}`, field);
  }
  try {
    createRuleEngine([...carriers, { source: 'api', pack: { pack: 'check', gate: CATEGORY_GATE[r.data.category], rules: [r.data] } }]);
  } catch (err) {
    throw new DomainError('invalid', `rule does not compile: ${(err as Error).message}`, 'rule');
  }
  return r.data;
}

/** Published posts read per query by dryRun. */
const DRY_RUN_PAGE = 2000;

/** Lets other work run between chunks of a long computation (setImmediate where there is one). */
const yieldToLoop = (): Promise<void> => new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/** The API rules as the overlay jobs carry, read from the database. */
export function* rulesOverlay$(db: Pick<StoreDb, 'select'>): Program<RulesOverlay> {
  const rows = yield* all(db.select().from(apiRules).orderBy(asc(apiRules.id)));
  return makeOverlay(rows.map((r) => r.spec as RuleSpec));
}

/** How the async dryRun runs its reads. */
type Runner = <T>(program: Program<T>) => T | Promise<T>;

/**
 * The rule management operations as programs. Public generator methods are
 * programs; `dryRun` is async and runs its page reads through the runner.
 */
export class RulePrograms {
  private cached: RulesOverlay | null = null;

  constructor(
    private readonly db: StoreDb,
    private readonly runner: Runner,
    /** The file packs in force (Node: read from the rules directory). */
    private readonly filePacks: () => LoadedPack[],
    private readonly now: () => Date = () => new Date(),
    /**
     * Keep the overlay between changes. Right for one process that makes every
     * change itself (the Node server); not for Worker isolates, which do not
     * see each other's changes.
     */
    private readonly cacheOverlay = true,
  ) {}

  /** The API rules as the overlay jobs carry (cached until the next change, with cacheOverlay). */
  *overlay(): Program<RulesOverlay> {
    if (!this.cacheOverlay) return yield* rulesOverlay$(this.db);
    if (!this.cached) this.cached = yield* rulesOverlay$(this.db);
    return this.cached;
  }

  *list(): Program<RuleView[]> {
    const api = new Map((yield* all(this.db.select().from(apiRules))).map((r) => [r.id, r]));
    const out: RuleView[] = [];
    const fileIds = new Set<string>();
    for (const p of this.filePacks()) {
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

  *get(id: string): Program<RuleView> {
    const r = (yield* this.list()).find((x) => x.id === id);
    if (!r) throw new DomainError('not_found', `no rule ${id}`);
    return r;
  }

  /** Creates an API rule; an id already in use (file or API) is a conflict — update it instead. */
  *create(actor: Actor, input: unknown): Program<RuleView> {
    requireCompliance(actor, 'manage rules');
    const spec = parseRule(input, contextCarriers(this.filePacks()));
    if ((yield* this.list()).some((r) => r.id === spec.id)) throw new DomainError('conflict', `rule ${spec.id} exists; use PUT /api/rules/${spec.id}`, 'id');
    yield* this.write(actor, spec, 'create', null);
    return yield* this.get(spec.id);
  }

  /** Replaces a rule (file or API) with a new spec, stored as an API rule. */
  *update(actor: Actor, id: string, input: unknown): Program<RuleView> {
    requireCompliance(actor, 'manage rules');
    const spec = parseRule({ ...(input as object), id }, contextCarriers(this.filePacks()));
    const before = yield* this.get(id);
    yield* this.write(actor, spec, 'update', before.spec);
    return yield* this.get(id);
  }

  *setEnabled(actor: Actor, id: string, enabled: boolean): Program<RuleView> {
    requireCompliance(actor, 'manage rules');
    const before = yield* this.get(id);
    if (before.enabled === enabled) return before;
    yield* this.write(actor, { ...before.spec, enabled }, enabled ? 'enable' : 'disable', before.spec);
    return yield* this.get(id);
  }

  *history(id: string): Program<RuleHistoryRow[]> {
    return (yield* all(this.db.select().from(ruleHistory).where(eq(ruleHistory.ruleId, id)).orderBy(desc(ruleHistory.id)))) as RuleHistoryRow[];
  }

  private *write(actor: Actor, spec: RuleSpec, action: 'create' | 'update' | 'disable' | 'enable', before: RuleSpec | null): Program<void> {
    const db = this.db;
    const at = this.now().toISOString();
    const prev = yield* get(db.select().from(apiRules).where(eq(apiRules.id, spec.id)));
    const revision = (prev?.revision ?? 0) + 1;
    yield* run(
      db
        .insert(apiRules)
        .values({ id: spec.id, spec: spec as unknown as Record<string, unknown>, revision, updatedBy: actor.id, updatedAt: at })
        .onConflictDoUpdate({ target: apiRules.id, set: { spec: spec as unknown as Record<string, unknown>, revision, updatedBy: actor.id, updatedAt: at } }),
    );
    yield* run(db.insert(ruleHistory).values({ ruleId: spec.id, revision, action, before, after: spec, actorId: actor.id, at }));
    yield* appendAudit$(db, { actorId: actor.id, action: `rule.${action}`, entityType: 'rule', entityId: spec.id, data: { revision } }, this.now());
    this.cached = null;
    // Also once committed: a read between the change and the commit may have cached the old overlay.
    yield* afterCommit(this.dropCache);
  }

  private readonly dropCache = () => {
    this.cached = null;
  };

  /** One page of the published archive (current versions) after `after` (a posts rowid). */
  private *archivePage(after: number): Program<Array<{ rowid: number; postId: string; account: string; title: string | null; body: string; platform: string | null }>> {
    const fields = { rowid: sql<number>`p.rowid`, postId: sql<string>`p.id`, account: sql<string>`a.name`, title: sql<string | null>`v.title`, body: sql<string>`v.body`, platform: sql<string | null>`v.platform` };
    return yield* rows(
      fields,
      this.db
        .select(fields)
        .from(sql`posts p JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version JOIN accounts a ON a.id = p.account_id`)
        .where(sql`p.status IN ('published','annotated') AND p.rowid > ${after}`)
        .orderBy(sql`p.rowid`)
        .limit(DRY_RUN_PAGE),
    );
  }

  /**
   * Which published posts a rule (or a whole candidate rule set) would hit,
   * before it is enabled. The rule is run alone, on each post's current
   * version, judged as of `asOf` (default today). Yields to the event loop
   * between chunks so the server keeps answering.
   */
  async dryRun(actor: Actor, input: { rule?: unknown; rules?: unknown[]; asOf?: string; limit?: number }): Promise<DryRunResult> {
    requireCompliance(actor, 'manage rules');
    const carriers = contextCarriers(this.filePacks());
    const specs = (input.rules ?? (input.rule !== undefined ? [input.rule] : [])).map((r) => parseRule(r, carriers));
    if (specs.length === 0) throw new DomainError('invalid', 'give a rule or rules to try', 'rule');
    const enabled = specs.map((s) => ({ ...s, enabled: true }));
    const engine = createRuleEngine([...carriers, ...applyOverlay([], makeOverlay(enabled))]);
    const asOf = input.asOf ?? today();
    const limit = input.limit ?? 200;
    const result: DryRunResult = { scanned: 0, matchedPosts: 0, hits: 0, posts: [], truncated: false };
    let after = 0;
    for (;;) {
      const rows = await this.runner(this.archivePage(after));
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
      await yieldToLoop();
    }
    return result;
  }
}

/** Rule management on better-sqlite3 (the Node server): file packs from `rulesDir`, each change one IMMEDIATE transaction. */
export class RuleAdmin {
  private readonly p: RulePrograms;
  private readonly read: SyncRunner['read'];
  private readonly write: SyncRunner['write'];

  constructor(db: Db, rulesDir: string = defaultRulesDir(), now: () => Date = () => new Date()) {
    const runner = syncRunner(db);
    this.read = runner.read;
    this.write = runner.write;
    this.p = new RulePrograms(programDb(db), runner.read, () => loadPackDir(rulesDir), now);
  }

  /** The API rules as the overlay jobs carry (cached until the next change). */
  overlay(): RulesOverlay {
    return this.read(this.p.overlay());
  }

  list(): RuleView[] {
    return this.read(this.p.list());
  }

  get(id: string): RuleView {
    return this.read(this.p.get(id));
  }

  /** Creates an API rule; an id already in use (file or API) is a conflict — update it instead. */
  create(actor: Actor, input: unknown): RuleView {
    return this.write(this.p.create(actor, input));
  }

  /** Replaces a rule (file or API) with a new spec, stored as an API rule. */
  update(actor: Actor, id: string, input: unknown): RuleView {
    return this.write(this.p.update(actor, id, input));
  }

  setEnabled(actor: Actor, id: string, enabled: boolean): RuleView {
    return this.write(this.p.setEnabled(actor, id, enabled));
  }

  history(id: string): RuleHistoryRow[] {
    return this.read(this.p.history(id));
  }

  /** See RulePrograms.dryRun. */
  dryRun(actor: Actor, input: { rule?: unknown; rules?: unknown[]; asOf?: string; limit?: number }): Promise<DryRunResult> {
    return this.p.dryRun(actor, input);
  }
}

export type AsyncRules = AsyncApi<RulePrograms>;

/** The compliance officers' rule management as the HTTP API sees it (RuleAdmin, AsyncRules). */
export interface RulesApi {
  list(): MaybePromise<RuleView[]>;
  get(id: string): MaybePromise<RuleView>;
  create(actor: Actor, input: unknown): MaybePromise<RuleView>;
  update(actor: Actor, id: string, input: unknown): MaybePromise<RuleView>;
  setEnabled(actor: Actor, id: string, enabled: boolean): MaybePromise<RuleView>;
  history(id: string): MaybePromise<RuleHistoryRow[]>;
  dryRun(actor: Actor, input: { rule?: unknown; rules?: unknown[]; asOf?: string; limit?: number }): Promise<DryRunResult>;
}

/**
 * Rule management on an async drizzle driver (D1): the same programs, run by
 * runAsync. `filePacks` are the packs in force, supplied by the runtime (a
 * Worker has no rules directory to read). The overlay is read afresh each
 * time: another isolate may have changed the rules.
 */
export function asyncRules(db: AsyncDb, opts: { filePacks: () => LoadedPack[]; now?: () => Date; batch?: boolean }): AsyncRules {
  const adapter = asyncAdapter(db, opts.batch);
  const p = new RulePrograms(adapter.db, (program) => adapter.run(program, 'read'), opts.filePacks, opts.now, false);
  return adapter.api(p);
}
