/**
 * The default transport: the outbox in SQLite is the queue, jobs run on the
 * in-process worker-thread pool, retries back off exponentially. Rows stay
 * `pending` while in flight, so a crash simply leaves them to the next start.
 *
 * Due rows travel in batches: each batch is one message to a pool thread
 * (runner.runBatch, the same processor per job) and its results are applied
 * in one transaction (a group commit). Under light load a batch holds the one
 * row that is due, so latency stays that of a single job; under load the
 * per-message and per-commit costs are shared by up to `batchSize` posts.
 * A batch whose group commit fails is applied row by row, so one bad result
 * fails only its own row.
 */
import type { SqliteStore } from '../service/sqlite.js';
import type { MachineReviewJobData } from './job.js';
import { duePending, recordFailure } from './outbox.js';
import { runJobs, type BatchOutcome, type JobRunner } from './runner.js';
import type { Transport } from './transport.js';

export interface EmbeddedOptions {
  /** Batches in flight at once (default 4: two per pool thread of a 2-core machine). */
  concurrency?: number;
  /** Rows per batch at most (default 32). */
  batchSize?: number;
  /** How often due retries are looked for. */
  pollMs?: number;
}

interface Job {
  outboxId: number;
  data: MachineReviewJobData;
}

export class EmbeddedTransport implements Transport {
  /** Outbox ids in flight. */
  private inflight = new Set<number>();
  private batches = 0;
  private timer: NodeJS.Timeout;
  private pumping = false;
  private again = false;
  private closed = false;
  private readonly concurrency: number;
  private readonly batchSize: number;

  constructor(
    private readonly store: SqliteStore,
    private readonly runner: JobRunner,
    opts: EmbeddedOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.batchSize = opts.batchSize ?? 32;
    this.timer = setInterval(() => this.kick(), opts.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (this.batches >= this.concurrency) break;
        const rows = duePending(this.store.db, this.batchSize + this.inflight.size).filter((r) => !this.inflight.has(r.id));
        if (rows.length === 0) break;
        // Spread what is due over the free slots, so both threads get work when several batches are free.
        const free = this.concurrency - this.batches;
        const per = Math.max(1, Math.min(this.batchSize, Math.ceil(rows.length / free)));
        for (let i = 0; i < rows.length && this.batches < this.concurrency; i += per) this.startBatch(rows.slice(i, i + per));
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private startBatch(rows: Array<{ id: number; versionId: number }>): void {
    // One policy and one overlay for the whole batch: they are read once, as they are in force now.
    const policy = this.store.verdictPolicy();
    const rules = this.store.rulesOverlay();
    const jobs: Job[] = [];
    for (const row of rows) {
      const input = this.store.reviewInput(row.versionId);
      if (!input) {
        recordFailure(this.store.db, row.id, `version ${row.versionId} not found`);
        continue;
      }
      jobs.push({ outboxId: row.id, data: { versionId: row.versionId, input, policy, rules } });
    }
    if (jobs.length === 0) return;
    for (const j of jobs) this.inflight.add(j.outboxId);
    this.batches++;
    const data = jobs.map((j) => j.data);
    const run = this.runner.runBatch ? this.runner.runBatch(data) : runJobs(data, (d) => this.runner.run(d));
    run
      .then(
        (outcomes) => this.apply(jobs, outcomes),
        (err: unknown) => this.fail(jobs, err),
      )
      .catch((err: unknown) => this.fail(jobs, err))
      .finally(() => {
        for (const j of jobs) this.inflight.delete(j.outboxId);
        this.batches--;
        this.kick();
      });
  }

  private apply(jobs: Job[], outcomes: BatchOutcome[]): void {
    const done: Array<{ job: Job; out: Extract<BatchOutcome, { result: unknown }> }> = [];
    jobs.forEach((job, i) => {
      const out = outcomes[i];
      if (!out || 'error' in out) this.fail([job], out ? out.error : 'no outcome');
      else done.push({ job, out });
    });
    if (done.length === 0) return;
    try {
      this.store.applyMachineReviews(done.map(({ out }) => ({ versionId: out.versionId, result: out.result, durationMs: out.durationMs })));
    } catch {
      // Find the one that failed: each on its own, as without batching.
      for (const { job, out } of done) {
        try {
          this.store.applyMachineReview(out.versionId, out.result, out.durationMs);
        } catch (err) {
          this.fail([job], err);
        }
      }
    }
  }

  private fail(jobs: Job[], err: unknown): void {
    if (this.closed) return;
    const message = typeof err === 'string' ? err : err instanceof Error ? (err.stack ?? err.message) : String(err);
    for (const j of jobs) recordFailure(this.store.db, j.outboxId, message);
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.inflight.size > 0 || duePending(this.store.db, 1).length > 0) {
      if (Date.now() > until) throw new Error('embedded queue did not drain in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const until = Date.now() + 10_000;
    while (this.inflight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await this.runner.close();
  }
}
