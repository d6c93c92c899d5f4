/**
 * Dynamic cleanup of the published archive (已公开信息动态清理). A run walks the
 * published posts in batches; each batch is checked (today's rules re-run on
 * the shared job processor, citations of repealed or amended policies, passed
 * deadlines, broken or off-list links) and its problems become cleanup tasks:
 * one per post and problem, never duplicated, closed when the problem is gone.
 * Batches are recorded as done in SQLite, so a crashed run resumes where it was.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { cleanupBatches, cleanupRuns, cleanupTasks, citations, linkAllowlist } from '../db/schema.js';
import { appendAudit } from '../audit/log.js';
import { PolicyIndex } from '../policy/registry.js';
import { passedDeadlines } from './deadlines.js';
import { LinkChecker, findLinks, hostAllowed, type LinkProblem } from './links.js';
import type { Hit, ReviewInput } from '../review/types.js';
import type { RescanBatchJobData, RescanBatchJobResult } from '../queue/job.js';
import { DomainError } from '../store/errors.js';
import type { RulesOverlay } from '../rules/overlay.js';

export const CHECKS = ['rescan', 'policy', 'deadline', 'links'] as const;
export type Check = (typeof CHECKS)[number];
type Kind = (typeof cleanupTasks.$inferSelect)['kind'];
type Action = 'withdraw' | 'annotate' | 'update' | 'keep';

/** Which task kinds each check owns (and may therefore close). */
const CHECK_KINDS: Record<Check, Kind[]> = {
  rescan: ['rescan'],
  policy: ['policy'],
  deadline: ['deadline'],
  links: ['link_broken', 'link_foreign'],
};

export const DEFAULT_ALLOWLIST = ['gov.cn', 'mp.weixin.qq.com', 'weibo.com', 'weibo.cn', '12333.gov.cn', 'people.com.cn', 'xinhuanet.com', 'news.cn'];

export const PUBLISHED_STATUSES = ['published', 'annotated'] as const;

export interface Problem {
  kind: Kind;
  key: string;
  recommendedAction: Action;
  detail: Record<string, unknown>;
}

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
  /** The compliance API's rules, sent with every re-scan batch. */
  rulesOverlay?: () => RulesOverlay;
}

export interface RunView {
  id: number;
  trigger: string;
  checks: string[];
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

const SCAN_TEXT = (p: { title: string | null; body: string }) => (p.title ? `${p.title}\n${p.body}` : p.body);

export class CleanupService {
  private dispatcher: RescanDispatcher | null = null;
  private inFlight = new Set<string>();
  private pumping = false;
  private readonly o: Required<Omit<CleanupOptions, 'onProgress' | 'linkChecker' | 'rulesOverlay'>> & Pick<CleanupOptions, 'onProgress' | 'linkChecker' | 'rulesOverlay'>;

  constructor(
    private readonly db: Db,
    opts: CleanupOptions = {},
  ) {
    this.o = { batchSize: opts.batchSize ?? 500, inFlight: opts.inFlight ?? 4, now: opts.now ?? (() => new Date()), onProgress: opts.onProgress, linkChecker: opts.linkChecker, rulesOverlay: opts.rulesOverlay };
    const none = db.select({ d: linkAllowlist.domain }).from(linkAllowlist).limit(1).all();
    if (none.length === 0) for (const d of DEFAULT_ALLOWLIST) db.insert(linkAllowlist).values({ domain: d }).onConflictDoNothing().run();
  }

  setDispatcher(d: RescanDispatcher): void {
    this.dispatcher = d;
  }

  /** Posts a run would cover now. */
  publishedCount(): number {
    return this.db.$client.prepare(`SELECT count(*) FROM posts WHERE status IN ('published','annotated')`).pluck().get() as number;
  }

  /**
   * Starts a run over every published post. Batches are cut by post rowid so a
   * resumed run covers the same posts.
   */
  startRun(input: { trigger: string; checks?: Check[]; asOf: string; actorId?: number | null }): RunView {
    const checks = input.checks && input.checks.length ? [...new Set(input.checks)] : [...CHECKS];
    const rowids = this.db.$client.prepare(`SELECT rowid FROM posts WHERE status IN ('published','annotated') ORDER BY rowid`).pluck().all() as number[];
    const runId = this.db.transaction((tx) => {
      const [run] = tx
        .insert(cleanupRuns)
        .values({ trigger: input.trigger, checks, asOf: input.asOf, totalBatches: Math.ceil(rowids.length / this.o.batchSize), totalPosts: rowids.length })
        .returning({ id: cleanupRuns.id })
        .all();
      let prev = 0;
      for (let seq = 0, i = 0; i < rowids.length; seq++, i += this.o.batchSize) {
        const last = rowids[Math.min(rowids.length, i + this.o.batchSize) - 1]!;
        tx.insert(cleanupBatches).values({ runId: run!.id, seq, fromId: prev, toId: last }).run();
        prev = last;
      }
      if (rowids.length === 0) tx.update(cleanupRuns).set({ state: 'done', finishedAt: this.o.now().toISOString() }).where(eq(cleanupRuns.id, run!.id)).run();
      appendAudit(tx, { actorId: input.actorId ?? null, action: 'cleanup.run', entityType: 'cleanup_run', entityId: String(run!.id), data: { trigger: input.trigger, checks, asOf: input.asOf, posts: rowids.length } }, this.o.now());
      return run!.id;
    });
    void this.pump();
    return this.run(runId);
  }

  run(id: number): RunView {
    const r = this.db.select().from(cleanupRuns).where(eq(cleanupRuns.id, id)).get();
    if (!r) throw new DomainError('not_found', `no cleanup run ${id}`);
    return { ...r, checks: r.checks as string[], percent: r.totalBatches === 0 ? 100 : Math.floor((r.doneBatches / r.totalBatches) * 100) };
  }

  runs(limit = 20): RunView[] {
    return this.db
      .select({ id: cleanupRuns.id })
      .from(cleanupRuns)
      .orderBy(sql`${cleanupRuns.id} DESC`)
      .limit(limit)
      .all()
      .map((r) => this.run(r.id));
  }

  /** Hands out pending batches of running runs, `inFlight` at a time. Safe to call often and after a restart. */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const free = this.o.inFlight - this.inFlight.size;
        if (free <= 0) return;
        const pending = this.db
          .select({ runId: cleanupBatches.runId, seq: cleanupBatches.seq, checks: cleanupRuns.checks })
          .from(cleanupBatches)
          .innerJoin(cleanupRuns, eq(cleanupRuns.id, cleanupBatches.runId))
          .where(and(eq(cleanupBatches.state, 'pending'), eq(cleanupRuns.state, 'running')))
          .orderBy(asc(cleanupBatches.runId), asc(cleanupBatches.seq))
          .limit(free + this.inFlight.size)
          .all()
          .filter((b) => !this.inFlight.has(`${b.runId}:${b.seq}`))
          .slice(0, free);
        if (pending.length === 0) return;
        for (const b of pending) {
          const key = `${b.runId}:${b.seq}`;
          this.inFlight.add(key);
          const viaProcessor = (b.checks as string[]).includes('rescan') && this.dispatcher;
          // A queued batch stays in flight until its result is applied (applyBatch clears it).
          const work: Promise<unknown> = viaProcessor ? this.dispatcher!.dispatch(this.rescanJob(b.runId, b.seq)) : this.applyBatch(b.runId, b.seq, null);
          work.catch((err: unknown) => {
            console.error(`lastgate cleanup: batch ${key} deferred: ${(err as Error).message}`);
            // Try again shortly, not in a tight loop.
            setTimeout(() => {
              this.inFlight.delete(key);
              void this.pump();
            }, 2000).unref();
          });
        }
      }
    } finally {
      this.pumping = false;
    }
  }


  private batchPosts(runId: number, seq: number): BatchPost[] {
    const b = this.db.select().from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))).get();
    if (!b) throw new Error(`no batch ${runId}:${seq}`);
    return this.db.$client
      .prepare(
        `SELECT p.rowid AS rowid, p.id, v.id AS versionId, v.title, v.body, v.platform, a.name AS account
         FROM posts p JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version
         JOIN accounts a ON a.id = p.account_id
         WHERE p.rowid > ? AND p.rowid <= ? AND p.status IN ('published','annotated') ORDER BY p.rowid`,
      )
      .all(b.fromId, b.toId) as BatchPost[];
  }

  /** The job for the shared processor: the batch's posts, judged as of the run's day. */
  rescanJob(runId: number, seq: number): RescanBatchJobData {
    const run = this.run(runId);
    return {
      runId,
      seq,
      ...(this.o.rulesOverlay ? { rules: this.o.rulesOverlay() } : {}),
      posts: this.batchPosts(runId, seq).map((p) => ({
        versionId: p.versionId,
        input: { id: p.id, ...(p.title != null ? { title: p.title } : {}), body: p.body, ...(p.platform != null ? { platform: p.platform } : {}), account: p.account, date: run.asOf } satisfies ReviewInput,
      })),
    };
  }

  /**
   * Checks one batch and records its tasks, in one transaction. Idempotent: a
   * batch already done (a duplicated or retried result) changes nothing.
   */
  async applyBatch(runId: number, seq: number, rescan: RescanBatchJobResult | null): Promise<void> {
    const key = `${runId}:${seq}`;
    try {
      const run = this.run(runId);
      const batch = this.db.select().from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))).get();
      if (!batch || batch.state === 'done' || run.state !== 'running') return;
      const checks = new Set(run.checks as Check[]);
      // Without the processor's result, rescan tasks are neither opened nor closed.
      if (rescan === null) checks.delete('rescan');
      const list = this.batchPosts(runId, seq);
      const hitsByVersion = new Map((rescan?.results ?? []).map((r) => [r.versionId, r.hits]));
      const index = checks.has('policy') ? PolicyIndex.load(this.db) : null;
      const linkResults = checks.has('links') ? await this.checkLinks(list) : null;
      const allow = checks.has('links') ? this.allowlist() : [];
      const at = this.o.now().toISOString();
      this.db.transaction((tx) => {
        const fresh = tx.select({ state: cleanupBatches.state }).from(cleanupBatches).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))).get();
        if (fresh?.state === 'done') return;
        let opened = 0;
        let closed = 0;
        const kinds = [...checks].flatMap((c) => CHECK_KINDS[c]);
        const existing = list.length
          ? tx
              .select()
              .from(cleanupTasks)
              .where(and(inArray(cleanupTasks.postId, list.map((p) => p.id)), inArray(cleanupTasks.kind, kinds), inArray(cleanupTasks.state, ['open', 'decided'])))
              .all()
          : [];
        // Citations are re-derived for the whole batch from today's registry.
        if (index && list.length) tx.delete(citations).where(inArray(citations.versionId, list.map((p) => p.versionId))).run();
        const byPost = new Map<string, typeof existing>();
        for (const t of existing) byPost.set(t.postId, [...(byPost.get(t.postId) ?? []), t]);
        for (const p of list) {
          const problems: Problem[] = [];
          if (checks.has('rescan')) problems.push(...rescanProblems(hitsByVersion.get(p.versionId) ?? []));
          if (index) {
            const cited = index.cited(SCAN_TEXT(p));
            for (const c of cited) {
              tx.insert(citations).values({ postId: p.id, versionId: p.versionId, policyId: c.policy.id, kind: c.kind, start: c.start, end: c.end, text: c.text }).onConflictDoNothing().run();
              if (c.policy.status !== 'effective') {
                problems.push({
                  kind: 'policy',
                  key: `policy:${c.policy.id}`,
                  recommendedAction: c.policy.status === 'amended' ? 'update' : 'annotate',
                  detail: { policyId: c.policy.id, docNo: c.policy.docNo, title: c.policy.title, status: c.policy.status, replacedBy: c.policy.replacedBy, cited: c.text, note: policyNote(c.policy.status, c.policy.replacedBy) },
                });
              }
            }
          }
          if (checks.has('deadline')) {
            for (const d of passedDeadlines(SCAN_TEXT(p), run.asOf)) {
              problems.push({ kind: 'deadline', key: `deadline:${d.date}`, recommendedAction: 'annotate', detail: { date: d.date, text: d.text, note: '所述期限已过，建议加注“已截止”或更新' } });
            }
          }
          if (linkResults) {
            for (const l of findLinks(SCAN_TEXT(p))) {
              const host = new URL(l.url).hostname;
              if (!hostAllowed(host, allow)) problems.push({ kind: 'link_foreign', key: l.url, recommendedAction: 'update', detail: { url: l.url, host, note: '链接指向白名单以外的网站' } });
              const r = linkResults.get(l.url);
              if (r && r.kind !== 'ok') problems.push({ kind: 'link_broken', key: l.url, recommendedAction: 'update', detail: { url: l.url, ...r, note: linkNote(r) } });
            }
          }
          const seen = new Set<string>();
          const mine = byPost.get(p.id) ?? [];
          for (const pr of problems) {
            const k = `${pr.kind}\u0000${pr.key}`;
            if (seen.has(k)) continue;
            seen.add(k);
            if (mine.some((t) => t.kind === pr.kind && t.key === pr.key)) continue;
            tx.insert(cleanupTasks).values({ postId: p.id, versionId: p.versionId, kind: pr.kind, key: pr.key, detail: pr.detail, recommendedAction: pr.recommendedAction, runId, createdAt: at }).run();
            opened++;
          }
          for (const t of mine) {
            if (t.state === 'open' && !seen.has(`${t.kind}\u0000${t.key}`)) {
              tx.update(cleanupTasks).set({ state: 'fixed', closedAt: at }).where(eq(cleanupTasks.id, t.id)).run();
              closed++;
            }
          }
        }
        tx.update(cleanupBatches).set({ state: 'done' }).where(and(eq(cleanupBatches.runId, runId), eq(cleanupBatches.seq, seq))).run();
        tx.update(cleanupRuns)
          .set({ doneBatches: sql`${cleanupRuns.doneBatches} + 1`, opened: sql`${cleanupRuns.opened} + ${opened}`, closed: sql`${cleanupRuns.closed} + ${closed}` })
          .where(eq(cleanupRuns.id, runId))
          .run();
        tx.update(cleanupRuns).set({ state: 'done', finishedAt: at }).where(and(eq(cleanupRuns.id, runId), sql`${cleanupRuns.doneBatches} >= ${cleanupRuns.totalBatches}`)).run();
      }, { behavior: 'immediate' });
      this.o.onProgress?.(this.run(runId));
    } finally {
      this.inFlight.delete(key);
      void this.pump();
    }
  }

  private allowlist(): string[] {
    return this.db.select({ d: linkAllowlist.domain }).from(linkAllowlist).all().map((r) => r.d);
  }

  private async checkLinks(list: BatchPost[]): Promise<Map<string, LinkProblem>> {
    const checker = this.o.linkChecker ?? (this.o.linkChecker = new LinkChecker());
    const urls = new Set(list.flatMap((p) => findLinks(SCAN_TEXT(p)).map((l) => l.url)));
    const out = new Map<string, LinkProblem>();
    await Promise.all([...urls].map(async (u) => out.set(u, await checker.check(u))));
    return out;
  }

  /** Waits until no run is running (tests, benchmarks, the CLI). */
  async waitIdle(timeoutMs = 600_000, onTick?: () => void): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const running = this.db.$client.prepare(`SELECT count(*) FROM cleanup_runs WHERE state = 'running'`).pluck().get() as number;
      if (running === 0) return;
      onTick?.();
      if (Date.now() > until) throw new Error('cleanup did not finish in time');
      void this.pump();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function rescanProblems(hits: Hit[]): Problem[] {
  return hits.map((h) => ({
    kind: 'rescan' as const,
    key: `${h.rule}:${h.field}:${h.start}-${h.end}`,
    recommendedAction: h.action === 'block' ? ('withdraw' as const) : ('update' as const),
    detail: { rule: h.rule, field: h.field, start: h.start, end: h.end, text: h.text, gate: h.gate, category: h.category, severity: h.severity, action: h.action, ...(h.suggestion ? { suggestion: h.suggestion } : {}), ...(h.message ? { note: h.message } : {}) },
  }));
}

function policyNote(status: string, replacedBy: string | null): string {
  const base = { repealed: '本文件已废止', expired: '本文件已失效', amended: '本文件已修改', effective: '' }[status] ?? '';
  return replacedBy ? `${base}，请参见${replacedBy}` : base;
}

function linkNote(r: LinkProblem): string {
  switch (r.kind) {
    case 'http_error':
      return `链接无法访问（HTTP ${r.status}）`;
    case 'dns':
      return '链接域名无法解析';
    case 'timeout':
      return '链接访问超时';
    case 'redirect_offsite':
      return `链接被跳转到其他网站：${r.location}`;
    case 'unreachable':
      return `链接无法访问：${r.message}`;
    default:
      return '';
  }
}

export type CleanupTaskRow = typeof cleanupTasks.$inferSelect;
