/**
 * Cleanup runs as programs (CleanupPrograms): a run walks the published posts
 * in batches cut by rowid; each batch is checked (checks.ts) and its problems
 * become cleanup tasks, one per post and problem, never duplicated, closed when
 * the problem is gone. Batches are recorded as done, so a crashed run resumes
 * where it was. service.ts runs these programs on Node and on D1.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { cleanupBatches, cleanupRuns, cleanupTasks, citations, linkAllowlist } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { PolicyIndex } from '../policy/registry.js';
import { all, get, isProgram, rows, run, type Program, type StoreDb } from '../store/program.js';
import type { Runner } from '../store/context.js';
import { DomainError } from '../store/errors.js';
import type { Hit, ReviewInput } from '../review/types.js';
import type { RescanBatchJobData, RescanBatchJobResult } from '../queue/job.js';
import type { RulesOverlay } from '../rules/overlay.js';
import { LinkChecker, findLinks, type LinkProblem } from './links.js';
import { CHECK_KINDS, CHECKS, postProblems, scanText, type Check } from './checks.js';

export const DEFAULT_ALLOWLIST = ['gov.cn', 'mp.weixin.qq.com', 'weibo.com', 'weibo.cn', '12333.gov.cn', 'people.com.cn', 'xinhuanet.com', 'news.cn'];

interface BatchPost {
  rowid: number;
  id: string;
  versionId: number;
  title: string | null;
  body: string;
  platform: string | null;
  account: string;
}

/**
 * Hands rescan batches to the job processor (worker-thread pool or BullMQ
 * workers). The result comes back through `CleanupService.applyBatch`, either
 * before `dispatch` resolves (pool) or later from the results queue (BullMQ).
 */
export interface RescanDispatcher {
  dispatch(job: RescanBatchJobData): Promise<void>;
}

export interface CleanupOptions {
  batchSize?: number;
  /** Batches handed out at once. */
  inFlight?: number;
  linkChecker?: LinkChecker;
  now?: () => Date;
  onProgress?: (run: RunView) => void;
  /** The compliance API's rules, sent with every re-scan batch (a program to read them through the same database). */
  rulesOverlay?: () => RulesOverlay | Program<RulesOverlay>;
}

export interface RunView {
  id: number;
  trigger: string;
  checks: Check[];
  asOf: string;
  state: 'running' | 'done' | 'failed';
  totalBatches: number;
  doneBatches: number;
  totalPosts: number;
  opened: number;
  closed: number;
  percent: number;
  startedAt: string;
  finishedAt: string | null;
}

const PUBLISHED = sql`status IN ('published','annotated')`;

/** What checking one batch needs, read before the (possibly slow) link checks. */
export interface BatchWork {
  runId: number;
  seq: number;
  asOf: string;
  checks: Check[];
  list: BatchPost[];
  hitsByVersion: Map<number, Hit[]>;
  index: PolicyIndex | null;
  allow: string[];
}

type Options = Required<Omit<CleanupOptions, 'onProgress' | 'linkChecker' | 'rulesOverlay'>> & Pick<CleanupOptions, 'onProgress' | 'linkChecker' | 'rulesOverlay'>;

/**
 * The cleanup operations as programs. Public generator methods are programs;
 * `applyBatch` and `processPending` are async and run theirs through the
 * runner.
 */
export class CleanupPrograms {
  readonly o: Options;

  constructor(
    private readonly db: StoreDb,
    private readonly runner: Runner,
    opts: CleanupOptions = {},
  ) {
    this.o = { batchSize: opts.batchSize ?? 500, inFlight: opts.inFlight ?? 4, now: opts.now ?? (() => new Date()), onProgress: opts.onProgress, linkChecker: opts.linkChecker, rulesOverlay: opts.rulesOverlay };
  }

  /** Fills an empty link allowlist with the defaults. */
  *seedAllowlist(): Program<void> {
    const none = yield* all(this.db.select({ d: linkAllowlist.domain }).from(linkAllowlist).limit(1));
    if (none.length === 0) for (const d of DEFAULT_ALLOWLIST) yield* run(this.db.insert(linkAllowlist).values({ domain: d }).onConflictDoNothing());
  }

  /** Posts a run would cover now. */
  *publishedCount(): Program<number> {
    const f = { n: sql<number>`count(*)` };
    return (yield* rows(f, this.db.select(f).from(sql`posts`).where(PUBLISHED)))[0]!.n;
  }

  /** Runs still running. */
  *runningCount(): Program<number> {
    const f = { n: sql<number>`count(*)` };
    return (yield* rows(f, this.db.select(f).from(sql`cleanup_runs`).where(sql`state = 'running'`)))[0]!.n;
  }

  /** Runs started by `trigger` for the day `asOf` (the scheduler starts one a day). */
  *runsOn(trigger: string, asOf: string): Program<number> {
    const f = { n: sql<number>`count(*)` };
    return (yield* rows(f, this.db.select(f).from(sql`cleanup_runs`).where(sql`trigger = ${trigger} AND as_of = ${asOf}`)))[0]!.n;
  }

  /**
   * Starts a run over every published post. Batches are cut by post rowid so a
   * resumed run covers the same posts.
   */
  *startRun(input: { trigger: string; checks?: Check[]; asOf: string; actorId?: number | null }): Program<RunView> {
    const db = this.db;
    const checks = input.checks && input.checks.length ? [...new Set(input.checks)] : [...CHECKS];
    const f = { rowid: sql<number>`rowid` };
    const rowids = (yield* rows(f, db.select(f).from(sql`posts`).where(PUBLISHED).orderBy(sql`rowid`))).map((r) => r.rowid);
    const [created] = yield* all(
      db
        .insert(cleanupRuns)
        .values({ trigger: input.trigger, checks, asOf: input.asOf, totalBatches: Math.ceil(rowids.length / this.o.batchSize), totalPosts: rowids.length })
        .returning({ id: cleanupRuns.id }),
    );
    const runId = created!.id;
    let prev = 0;
    for (let seq = 0, i = 0; i < rowids.length; seq++, i += this.o.batchSize) {
      const last = rowids[Math.min(rowids.length, i + this.o.batchSize) - 1]!;
      yield* run(db.insert(cleanupBatches).values({ runId, seq, fromId: prev, toId: last }));
      prev = last;
    }
    if (rowids.length === 0) yield* run(db.update(cleanupRuns).set({ state: 'done', finishedAt: this.o.now().toISOString() }).where(eq(cleanupRuns.id, runId)));
    yield* appendAudit$(db, { actorId: input.actorId ?? null, action: 'cleanup.run', entityType: 'cleanup_run', entityId: String(runId), data: { trigger: input.trigger, checks, asOf: input.asOf, posts: rowids.length } }, this.o.now());
    return yield* this.run(runId);
  }

  *run(id: number): Program<RunView> {
    const r = yield* get(this.db.select().from(cleanupRuns).where(eq(cleanupRuns.id, id)));
    if (!r) throw new DomainError('not_found', `no cleanup run ${id}`);
    return { ...r, checks: r.checks as Check[], percent: r.totalBatches === 0 ? 100 : Math.floor((r.doneBatches / r.totalBatches) * 100) };
  }

  *runs(limit = 20): Program<RunView[]> {
    const ids = yield* all(this.db.select({ id: cleanupRuns.id }).from(cleanupRuns).orderBy(sql`${cleanupRuns.id} DESC`).limit(limit));
    const out: RunView[] = [];
    for (const r of ids) out.push(yield* this.run(r.id));
    return out;
  }

  /** Pending batches of running runs, oldest run first. */
  *pendingBatches(limit: number): Program<Array<{ runId: number; seq: number; checks: string[] }>> {
    const list = yield* all(
      this.db
        .select({ runId: cleanupBatches.runId, seq: cleanupBatches.seq, checks: cleanupRuns.checks })
        .from(cleanupBatches)
        .innerJoin(cleanupRuns, eq(cleanupRuns.id, cleanupBatches.runId))
        .where(and(eq(cleanupBatches.state, 'pending'), eq(cleanupRuns.state, 'running')))
        .orderBy(asc(cleanupBatches.runId), asc(cleanupBatches.seq))
        .limit(limit),
    );
    return list.map((b) => ({ ...b, checks: b.checks as string[] }));
  }

  private *batchPosts(runId: number, seq: number): Program<BatchPost[]> {
    const b = yield* get(this.db.select().from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))));
    if (!b) throw new Error(`no batch ${runId}:${seq}`);
    const fields = {
      rowid: sql<number>`p.rowid`,
      id: sql<string>`p.id`,
      versionId: sql<number>`v.id`,
      title: sql<string | null>`v.title`,
      body: sql<string>`v.body`,
      platform: sql<string | null>`v.platform`,
      account: sql<string>`a.name`,
    };
    return yield* rows(
      fields,
      this.db
        .select(fields)
        .from(sql`posts p JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version JOIN accounts a ON a.id = p.account_id`)
        .where(sql`p.rowid > ${b.fromId} AND p.rowid <= ${b.toId} AND p.status IN ('published','annotated')`)
        .orderBy(sql`p.rowid`),
    );
  }

  /** The job for the shared processor: the batch's posts, judged as of the run's day. */
  *rescanJob(runId: number, seq: number): Program<RescanBatchJobData> {
    const r = yield* this.run(runId);
    let rules: RulesOverlay | undefined;
    if (this.o.rulesOverlay) {
      const o = this.o.rulesOverlay();
      rules = isProgram(o) ? yield* o : o;
    }
    const posts = yield* this.batchPosts(runId, seq);
    return {
      runId,
      seq,
      ...(rules ? { rules } : {}),
      posts: posts.map((p) => ({
        versionId: p.versionId,
        input: { id: p.id, ...(p.title != null ? { title: p.title } : {}), body: p.body, ...(p.platform != null ? { platform: p.platform } : {}), account: p.account, date: r.asOf } satisfies ReviewInput,
      })),
    };
  }

  /** What checking a batch needs, or null when there is nothing to do (batch done or run not running). */
  *prepareBatch(runId: number, seq: number, rescan: RescanBatchJobResult | null): Program<BatchWork | null> {
    const r = yield* this.run(runId);
    const batch = yield* get(this.db.select().from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))));
    if (!batch || batch.state === 'done' || r.state !== 'running') return null;
    const checks = new Set(r.checks as Check[]);
    // Without the processor's result, rescan tasks are neither opened nor closed.
    if (rescan === null) checks.delete('rescan');
    const list = yield* this.batchPosts(runId, seq);
    const hitsByVersion = new Map((rescan?.results ?? []).map((x) => [x.versionId, x.hits]));
    const index = checks.has('policy') ? yield* PolicyIndex.load$(this.db) : null;
    const allow = checks.has('links') ? (yield* all(this.db.select({ d: linkAllowlist.domain }).from(linkAllowlist))).map((x) => x.d) : [];
    return { runId, seq, asOf: r.asOf, checks: [...checks], list, hitsByVersion, index, allow };
  }

  /** The links of a batch checked (null when the run does not check links). */
  async checkBatchLinks(work: BatchWork): Promise<Map<string, LinkProblem> | null> {
    if (!work.checks.includes('links')) return null;
    const checker = this.o.linkChecker ?? (this.o.linkChecker = new LinkChecker());
    const urls = new Set(work.list.flatMap((p) => findLinks(scanText(p)).map((l) => l.url)));
    const out = new Map<string, LinkProblem>();
    await Promise.all([...urls].map(async (u) => out.set(u, await checker.check(u))));
    return out;
  }

  /**
   * Records a checked batch's tasks (one transaction with runSync). Idempotent:
   * a batch already done (a duplicated or retried result) changes nothing.
   */
  *writeBatch(work: BatchWork, linkResults: Map<string, LinkProblem> | null): Program<void> {
    const db = this.db;
    const { runId, seq, list, index, allow, hitsByVersion } = work;
    const checks = new Set(work.checks);
    const at = this.o.now().toISOString();
    const fresh = yield* get(db.select({ state: cleanupBatches.state }).from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))));
    if (fresh?.state === 'done') return;
    let opened = 0;
    let closed = 0;
    const kinds = [...checks].flatMap((c) => CHECK_KINDS[c]);
    const existing = list.length
      ? yield* all(
          db
            .select()
            .from(cleanupTasks)
            .where(and(inArray(cleanupTasks.postId, list.map((p) => p.id)), inArray(cleanupTasks.kind, kinds), inArray(cleanupTasks.state, ['open', 'decided']))),
        )
      : [];
    // Citations are re-derived for the whole batch from today's registry.
    if (index && list.length) yield* run(db.delete(citations).where(inArray(citations.versionId, list.map((p) => p.versionId))));
    const byPost = new Map<string, typeof existing>();
    for (const t of existing) byPost.set(t.postId, [...(byPost.get(t.postId) ?? []), t]);
    for (const p of list) {
      const text = scanText(p);
      const cited = index ? index.cited(text) : null;
      for (const c of cited ?? []) {
        yield* run(db.insert(citations).values({ postId: p.id, versionId: p.versionId, policyId: c.policy.id, kind: c.kind, start: c.start, end: c.end, text: c.text }).onConflictDoNothing());
      }
      const problems = postProblems({ text, checks, hits: hitsByVersion.get(p.versionId) ?? [], cited, asOf: work.asOf, linkResults, allow });
      const seen = new Set<string>();
      const mine = byPost.get(p.id) ?? [];
      for (const pr of problems) {
        const k = `${pr.kind}\u0000${pr.key}`;
        if (seen.has(k)) continue;
        seen.add(k);
        if (mine.some((t) => t.kind === pr.kind && t.key === pr.key)) continue;
        yield* run(db.insert(cleanupTasks).values({ postId: p.id, versionId: p.versionId, kind: pr.kind, key: pr.key, detail: pr.detail, recommendedAction: pr.recommendedAction, runId, createdAt: at }));
        opened++;
      }
      for (const t of mine) {
        if (t.state === 'open' && !seen.has(`${t.kind}\u0000${t.key}`)) {
          yield* run(db.update(cleanupTasks).set({ state: 'fixed', closedAt: at }).where(eq(cleanupTasks.id, t.id)));
          closed++;
        }
      }
    }
    yield* run(db.update(cleanupBatches).set({ state: 'done' }).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))));
    yield* run(
      db
        .update(cleanupRuns)
        .set({ doneBatches: sql`${cleanupRuns.doneBatches} + 1`, opened: sql`${cleanupRuns.opened} + ${opened}`, closed: sql`${cleanupRuns.closed} + ${closed}` })
        .where(eq(cleanupRuns.id, runId)),
    );
    yield* run(db.update(cleanupRuns).set({ state: 'done', finishedAt: at }).where(and(eq(cleanupRuns.id, runId), sql`${cleanupRuns.doneBatches} >= ${cleanupRuns.totalBatches}`)));
  }

  /** Checks one batch and records its tasks (prepareBatch, link checks, writeBatch); idempotent per batch. */
  async applyBatch(runId: number, seq: number, rescan: RescanBatchJobResult | null): Promise<void> {
    const work = await this.runner(this.prepareBatch(runId, seq, rescan), 'read');
    if (!work) return;
    const links = await this.checkBatchLinks(work);
    await this.runner(this.writeBatch(work, links), 'write');
    if (this.o.onProgress) this.o.onProgress(await this.runner(this.run(runId), 'read'));
  }

  /**
   * One pass over the pending batches, for runtimes without CleanupService's
   * pump (a Worker's Cron Trigger): rescan batches go to `dispatcher` when
   * there is one, the rest are checked here, one after the other. Returns the
   * batches handed out or checked.
   */
  async processPending(dispatcher: RescanDispatcher | null = null, limit = this.o.inFlight): Promise<number> {
    const pending = await this.runner(this.pendingBatches(limit), 'read');
    for (const b of pending) {
      if (b.checks.includes('rescan') && dispatcher) await dispatcher.dispatch(await this.runner(this.rescanJob(b.runId, b.seq), 'read'));
      else await this.applyBatch(b.runId, b.seq, null);
    }
    return pending.length;
  }
}
