/**
 * The default transport: the outbox in SQLite is the queue, jobs run on the
 * in-process worker-thread pool, retries back off exponentially. Rows stay
 * `pending` while in flight, so a crash simply leaves them to the next start.
 */
import type { SqliteStore } from '../service/sqlite.js';
import { duePending, recordFailure } from './outbox.js';
import type { JobRunner } from './runner.js';
import type { Transport } from './transport.js';

export interface EmbeddedOptions {
  /** Jobs in flight at once (default: 2 per pool thread). */
  concurrency?: number;
  /** How often due retries are looked for. */
  pollMs?: number;
}

export class EmbeddedTransport implements Transport {
  private inflight = new Set<number>();
  private timer: NodeJS.Timeout;
  private pumping = false;
  private again = false;
  private closed = false;
  private readonly concurrency: number;

  constructor(
    private readonly store: SqliteStore,
    private readonly runner: JobRunner,
    opts: EmbeddedOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 8;
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
        const free = this.concurrency - this.inflight.size;
        if (free <= 0) break;
        const rows = duePending(this.store.db, free + this.inflight.size).filter((r) => !this.inflight.has(r.id));
        for (const row of rows.slice(0, free)) this.start(row.id, row.versionId);
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private start(outboxId: number, versionId: number): void {
    const input = this.store.reviewInput(versionId);
    if (!input) {
      recordFailure(this.store.db, outboxId, `version ${versionId} not found`);
      return;
    }
    this.inflight.add(outboxId);
    this.runner
      .run({ versionId, input, policy: this.store.verdictPolicy(), rules: this.store.rulesOverlay() })
      .then((out) => this.store.applyMachineReview(versionId, out.result, out.durationMs))
      .catch((err: unknown) => {
        if (!this.closed) recordFailure(this.store.db, outboxId, err instanceof Error ? err.stack ?? err.message : String(err));
      })
      .finally(() => {
        this.inflight.delete(outboxId);
        this.kick();
      });
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
