/**
 * Cleanup of the published archive (已公开信息动态清理) on each runtime. The
 * programs are written once (CleanupPrograms in runs.ts, the checks in
 * checks.ts): CleanupService runs them on better-sqlite3 with runSync (each
 * batch's tasks in one IMMEDIATE transaction), as the Node server always did;
 * asyncCleanup runs the same programs with runAsync on an async drizzle driver
 * (Cloudflare D1).
 *
 * Node-only, and what an edge runtime must supply instead:
 * - Handing batches out. CleanupService.pump keeps the batches in flight in
 *   memory and retries on a timer, and its RescanDispatcher sends rescan
 *   batches to the worker-thread pool or BullMQ. A Worker has neither: it
 *   calls `processPending(dispatcher, limit)` from a Cron Trigger (or after
 *   startRun, in waitUntil), with a dispatcher that sends the rescan job
 *   (`rescanJob`) to a Queue whose consumer runs processRescanBatchJob and
 *   hands the result to `applyBatch`. Nothing marks a batch as dispatched in
 *   the database, so a batch still pending at the next tick is sent again;
 *   applyBatch is idempotent per batch, so that costs work, not correctness.
 *   Without a dispatcher, batches are checked here without the rescan check.
 * - The rules overlay for rescan jobs: pass `rulesOverlay` as a program
 *   (`() => rulesOverlay$(db)`, src/rules/admin.ts) so it is read through the
 *   same database.
 * - Link checks use fetch (LinkChecker), which Workers have; their time and
 *   subrequest limits apply.
 */
import type { Db } from '../db/client.js';
import { programDb, type AsyncApi, type ProgramApi } from '../store/program.js';
import { syncRunner, type SyncRunner } from '../store/sync.js';
import { asyncAdapter, type AsyncDb } from '../store/async.js';
import type { RescanBatchJobData, RescanBatchJobResult } from '../queue/job.js';
import { CleanupPrograms, type CleanupOptions, type RescanDispatcher, type RunView } from './runs.js';
import type { Check } from './checks.js';

/** Cleanup on better-sqlite3 (the Node server): the programs run by runSync, batches handed out by `pump`. */
export class CleanupService {
  private dispatcher: RescanDispatcher | null = null;
  private inFlight = new Set<string>();
  private pumping = false;
  private readonly p: CleanupPrograms;
  private readonly o: CleanupPrograms['o'];
  private readonly read: SyncRunner['read'];
  private readonly write: SyncRunner['write'];

  constructor(db: Db, opts: CleanupOptions = {}) {
    const runner = syncRunner(db);
    this.read = runner.read;
    this.write = runner.write;
    this.p = new CleanupPrograms(programDb(db), runner.run, opts);
    this.o = this.p.o;
    this.write(this.p.seedAllowlist());
  }

  setDispatcher(d: RescanDispatcher): void {
    this.dispatcher = d;
  }

  /** Posts a run would cover now. */
  publishedCount(): number {
    return this.read(this.p.publishedCount());
  }

  /** Runs started by `trigger` for the day `asOf`. */
  runsOn(trigger: string, asOf: string): number {
    return this.read(this.p.runsOn(trigger, asOf));
  }

  /**
   * Starts a run over every published post. Batches are cut by post rowid so a
   * resumed run covers the same posts.
   */
  startRun(input: { trigger: string; checks?: Check[]; asOf: string; actorId?: number | null }): RunView {
    const started = this.write(this.p.startRun(input));
    void this.pump();
    return this.run(started.id);
  }

  run(id: number): RunView {
    return this.read(this.p.run(id));
  }

  runs(limit = 20): RunView[] {
    return this.read(this.p.runs(limit));
  }

  /** Hands out pending batches of running runs, `inFlight` at a time. Safe to call often and after a restart. */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const free = this.o.inFlight - this.inFlight.size;
        if (free <= 0) return;
        const pending = this.read(this.p.pendingBatches(free + this.inFlight.size))
          .filter((b) => !this.inFlight.has(`${b.runId}:${b.seq}`))
          .slice(0, free);
        if (pending.length === 0) return;
        for (const b of pending) {
          const key = `${b.runId}:${b.seq}`;
          this.inFlight.add(key);
          const viaProcessor = b.checks.includes('rescan') && this.dispatcher;
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

  /** The job for the shared processor: the batch's posts, judged as of the run's day. */
  rescanJob(runId: number, seq: number): RescanBatchJobData {
    return this.read(this.p.rescanJob(runId, seq));
  }

  /**
   * Checks one batch and records its tasks, in one transaction. Idempotent: a
   * batch already done (a duplicated or retried result) changes nothing.
   * Without link checks it runs to the end synchronously, as it always did.
   */
  async applyBatch(runId: number, seq: number, rescan: RescanBatchJobResult | null): Promise<void> {
    const key = `${runId}:${seq}`;
    try {
      const work = this.read(this.p.prepareBatch(runId, seq, rescan));
      if (!work) return;
      const links = work.checks.includes('links') ? await this.p.checkBatchLinks(work) : null;
      this.write(this.p.writeBatch(work, links));
      this.o.onProgress?.(this.run(runId));
    } finally {
      this.inFlight.delete(key);
      void this.pump();
    }
  }

  /** Waits until no run is running (tests, benchmarks, the CLI). */
  async waitIdle(timeoutMs = 600_000, onTick?: () => void): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const running = this.read(this.p.runningCount());
      if (running === 0) return;
      onTick?.();
      if (Date.now() > until) throw new Error('cleanup did not finish in time');
      void this.pump();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export type AsyncCleanup = AsyncApi<CleanupPrograms>;

/** Cleanup runs as the HTTP API and the UI use them, on either adapter. */
export type CleanupApi = Pick<ProgramApi<CleanupPrograms>, 'startRun' | 'run' | 'runs'>;

/** Posts per batch on async drivers (see asyncCleanup). */
export const ASYNC_BATCH_SIZE = 50;

/**
 * Cleanup on an async drizzle driver (D1): the same programs, run by runAsync.
 * The link allowlist is seeded on first use. Nothing hands batches out by
 * itself: call `processPending` (see the module comment). Batches default to
 * ASYNC_BATCH_SIZE posts: writeBatch binds one parameter per post of the batch
 * in one statement, and D1 accepts at most 100 bound parameters per query.
 */
export function asyncCleanup(db: AsyncDb, opts: CleanupOptions & { batch?: boolean } = {}): AsyncCleanup {
  const adapter = asyncAdapter(db, opts.batch);
  const p = new CleanupPrograms(adapter.db, adapter.run, { batchSize: ASYNC_BATCH_SIZE, ...opts });
  return adapter.api(p, () => p.seedAllowlist());
}
