/**
 * The distributed transport (REDIS_URL set). The server moves outbox rows to a
 * BullMQ queue and applies results; `lastgate worker` processes, on any number
 * of machines, run the same job processor and need no database: they read the
 * post from the job and send the result back on a results queue.
 *
 * Delivery is at-least-once and the store applies results idempotently, so
 * retries, stalled jobs of a SIGKILLed worker and the sweeper's re-dispatches
 * never duplicate findings or tasks.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SqliteStore } from '../service/sqlite.js';
import { duePending, markDispatched, openCount, recordFailure, requeue, staleDispatched } from './outbox.js';
import {
  MACHINE_REVIEW_QUEUE,
  MACHINE_REVIEW_RESULTS_QUEUE,
  RESCAN_QUEUE,
  type MachineReviewJobData,
  type MachineReviewJobResult,
  type RescanBatchJobData,
  type RescanBatchJobResult,
} from './job.js';
import type { JobRunner } from './runner.js';
import type { Transport } from './transport.js';

/** How long a worker holds a job before BullMQ deems it stalled and hands it to another. */
export const LOCK_MS = Number(process.env.LASTGATE_JOB_LOCK_MS ?? 30_000);

/**
 * Job ids carry the database's instance id: version ids start at 1 in every
 * database, and BullMQ keeps finished jobs for an hour, so a second server
 * (or a database restored or recreated) on the same Redis would otherwise
 * have its jobs dropped as duplicates and be handed another database's
 * results.
 */
export function jobId(instance: string, versionId: number): string {
  return `mr-${instance}-${versionId}`;
}

/** The queue a server reads its results from: its database's own. */
export function resultsQueueName(instance: string): string {
  return `${MACHINE_REVIEW_RESULTS_QUEUE}-${instance}`;
}

/** The database's instance id (settings `instance`), created at first use. */
function instanceOf(store: SqliteStore): string {
  const db = store.db.$client;
  db.prepare("INSERT OR IGNORE INTO settings (key, value) VALUES ('instance', ?)").run(JSON.stringify(randomUUID().slice(0, 8)));
  return JSON.parse(db.prepare("SELECT value FROM settings WHERE key = 'instance'").pluck().get() as string) as string;
}

/** A connection for blocking consumers: retries forever, as BullMQ workers require. */
function consumerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * A connection for producers: fails fast while Redis is down so the outbox
 * keeps the work; a command unanswered for 5 s (a frozen Redis, a network
 * partition) fails too instead of holding the dispatcher forever.
 */
function producerConnection(url: string): Redis {
  const opts: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5000, retryStrategy: (n) => Math.min(n * 200, 2000) };
  const r = new Redis(url, opts);
  r.on('error', () => {});
  return r;
}

const JOB_OPTS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600 },
};

/** A result job: removed once the server has applied it; applying it is retried up to five times. */
const RESULT_OPTS = { removeOnComplete: true, removeOnFail: { age: 24 * 3600 }, attempts: 5, backoff: { type: 'exponential' as const, delay: 1000 } };

export interface BullTransportOptions {
  /** Where results of cleanup re-scan batches go. */
  onRescanResult?: (result: RescanBatchJobResult) => Promise<void>;
  /** How often pending rows and lost jobs are looked for. */
  sweepMs?: number;
  /** A dispatched row with no result after this long is checked against Redis. */
  staleMs?: number;
}

export class BullTransport implements Transport {
  private readonly queue: Queue<MachineReviewJobData, MachineReviewJobResult>;
  private readonly results: Worker<MachineReviewJobResult | RescanBatchJobResult>;
  private readonly rescanQueue: Queue<RescanBatchJobData>;
  private readonly producer: Redis;
  private readonly consumer: Redis;
  private readonly timer: NodeJS.Timeout;
  private dispatching: Promise<void> | null = null;
  private rescanTurn: Promise<unknown> = Promise.resolve();
  private again = false;
  private closed = false;
  private lastError = '';
  private readonly staleMs: number;
  private readonly instance: string;
  private readonly resultsQueue: string;
  /** While sends fail: no attempt before retryAt, the wait doubling from 250 ms up to 5 s. */
  private retryAt = 0;
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Why the last send failed, until one succeeds. */
  private down: string | null = null;

  constructor(
    private readonly store: SqliteStore,
    redisUrl: string,
    opts: BullTransportOptions = {},
  ) {
    this.staleMs = opts.staleMs ?? 30_000;
    this.instance = instanceOf(store);
    this.resultsQueue = resultsQueueName(this.instance);
    this.producer = producerConnection(redisUrl);
    // Redis back: send at once what waited.
    this.producer.on('ready', () => {
      this.retryAt = 0;
      this.kick();
    });
    this.consumer = consumerConnection(redisUrl);
    this.consumer.on('error', () => {});
    this.queue = new Queue(MACHINE_REVIEW_QUEUE, { connection: this.producer });
    this.queue.on('error', () => {});
    this.rescanQueue = new Queue(RESCAN_QUEUE, { connection: this.producer });
    this.rescanQueue.on('error', () => {});
    this.results = new Worker<MachineReviewJobResult | RescanBatchJobResult>(
      this.resultsQueue,
      async (job) => {
        if (job.name === 'rescan_result') {
          // Re-scan batches may await link checks between reading and writing: they stay one at a time.
          const turn = this.rescanTurn.then(() => opts.onRescanResult?.(job.data as RescanBatchJobResult));
          this.rescanTurn = turn.catch(() => {});
          await turn;
        } else {
          const d = job.data as MachineReviewJobResult;
          this.store.applyMachineReview(d.versionId, d.result, d.durationMs);
        }
      },
      // Applying a review result is one synchronous transaction, so results never interleave; a
      // higher concurrency only lets BullMQ fetch and complete result jobs in overlapping round trips.
      { connection: this.consumer, concurrency: 16 },
    );
    this.results.on('error', () => {});
    this.timer = setInterval(() => {
      this.kick();
      void this.sweep();
    }, opts.sweepMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /**
   * Dispatches due rows. While Redis is down a kick costs nothing: the rows
   * are read and the jobs built again only when the backoff has passed (or
   * the connection is ready again), never once per submit.
   */
  kick(): void {
    if (this.closed) return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.kick();
      }, wait);
      this.retryTimer.unref();
      return;
    }
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = this.dispatch().finally(() => {
      this.dispatching = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Whether the queue is reachable, and why not. */
  health(): { queue: 'ok' | 'down'; detail?: string } {
    return this.down ? { queue: 'down', detail: this.down } : { queue: 'ok' };
  }

  private failed(err: unknown): void {
    this.down = err instanceof Error ? err.message : String(err);
    this.backoffMs = Math.min(5000, Math.max(250, this.backoffMs * 2));
    // Not on the first attempts: at start-up the connection is still being made.
    if (this.backoffMs >= 1000) this.report(err);
    this.retryAt = Date.now() + this.backoffMs;
    this.kick();
  }

  private async dispatch(): Promise<void> {
    if (this.producer.status !== 'ready') {
      this.failed(new Error(`Redis connection ${this.producer.status}`));
      return;
    }
    for (;;) {
      const rows = duePending(this.store.db, 500);
      if (rows.length === 0) return;
      const jobs = [];
      const policy = this.store.verdictPolicy();
      const rules = this.store.rulesOverlay();
      for (const row of rows) {
        const input = this.store.reviewInput(row.versionId);
        if (!input) {
          recordFailure(this.store.db, row.id, `version ${row.versionId} not found`);
          continue;
        }
        jobs.push({ name: 'machine_review', data: { versionId: row.versionId, input, policy, rules, resultsQueue: this.resultsQueue }, opts: { ...JOB_OPTS, jobId: jobId(this.instance, row.versionId) } });
      }
      try {
        await this.queue.addBulk(jobs);
      } catch (err) {
        // Redis unreachable: the rows stay pending; the next attempt waits for the backoff or the reconnection.
        this.failed(err);
        return;
      }
      this.down = null;
      this.backoffMs = 0;
      markDispatched(this.store.db, rows.map((r) => r.id));
      if (rows.length < 500) return;
    }
  }

  /** Queues a cleanup re-scan batch for the workers; its result arrives on the results queue. */
  async dispatchRescan(job: RescanBatchJobData): Promise<void> {
    await this.rescanQueue.add('rescan', { ...job, resultsQueue: this.resultsQueue }, { ...JOB_OPTS, jobId: `rescan-${this.instance}-${job.runId}-${job.seq}` });
  }

  /** Re-dispatches work that Redis lost or that failed every attempt; applies results that arrived only as return values. */
  private async sweep(): Promise<void> {
    if (this.closed || this.producer.status !== 'ready') return;
    const stale = staleDispatched(this.store.db, new Date(Date.now() - this.staleMs), 200);
    for (const row of stale) {
      try {
        const job = await this.queue.getJob(jobId(this.instance, row.versionId));
        if (!job) {
          requeue(this.store.db, [row.id]);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed' && job.returnvalue) {
          this.store.applyMachineReview(row.versionId, job.returnvalue.result, job.returnvalue.durationMs);
        } else if (state === 'failed') {
          await job.remove();
          recordFailure(this.store.db, row.id, job.failedReason ?? 'job failed');
        }
      } catch (err) {
        this.report(err);
        return;
      }
    }
    if (stale.length > 0) this.kick();
  }

  private report(err: unknown) {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg !== this.lastError) {
      this.lastError = msg;
      console.error(`lastgate: queue dispatch deferred (${msg}); posts stay in the outbox`);
    }
  }

  async drain(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const open = openCount(this.store.db);
      if (open === 0) return;
      if (Date.now() > until) throw new Error(`BullMQ transport did not drain in time (${open} open)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.dispatching;
    await this.results.close();
    await this.queue.close();
    await this.rescanQueue.close();
    this.producer.disconnect();
    this.consumer.disconnect();
  }
}

/**
 * `lastgate worker`: consumes machine-review jobs with the shared processor and
 * returns results on the results queue. Needs only REDIS_URL, not the database.
 */
export function startBullWorker(redisUrl: string, runner: JobRunner, opts: { concurrency?: number } = {}) {
  const connection = consumerConnection(redisUrl);
  const resultsConnection = consumerConnection(redisUrl);
  // One queue per sending database (job.data.resultsQueue); jobs of older servers name none.
  const resultQueues = new Map<string, Queue<MachineReviewJobResult | RescanBatchJobResult>>();
  const resultsFor = (name = MACHINE_REVIEW_RESULTS_QUEUE) => {
    let q = resultQueues.get(name);
    if (!q) resultQueues.set(name, (q = new Queue(name, { connection: resultsConnection })));
    return q;
  };
  const worker = new Worker<MachineReviewJobData, MachineReviewJobResult>(
    MACHINE_REVIEW_QUEUE,
    async (job: Job<MachineReviewJobData>) => {
      const out = await runner.run(job.data);
      await resultsFor(job.data.resultsQueue).add('result', out, { ...RESULT_OPTS, jobId: job.id! });
      return out;
    },
    { connection, name: `${hostname()}:${process.pid}`, concurrency: opts.concurrency ?? 2, lockDuration: LOCK_MS, stalledInterval: Math.max(1000, Math.floor(LOCK_MS / 2)), maxStalledCount: 3 },
  );
  worker.on('error', (err) => console.error(`lastgate worker: ${err.message}`));
  const rescanConnection = consumerConnection(redisUrl);
  const rescanWorker = new Worker<RescanBatchJobData, RescanBatchJobResult>(
    RESCAN_QUEUE,
    async (job) => {
      const out = await runner.rescan(job.data);
      await resultsFor(job.data.resultsQueue).add('rescan_result', out, { ...RESULT_OPTS, jobId: job.id! });
      return { ...out, results: [] };
    },
    { connection: rescanConnection, name: `${hostname()}:${process.pid}`, concurrency: 1, lockDuration: LOCK_MS, stalledInterval: Math.max(1000, Math.floor(LOCK_MS / 2)), maxStalledCount: 3 },
  );
  rescanWorker.on('error', (err) => console.error(`lastgate worker: ${err.message}`));
  return {
    worker,
    rescanWorker,
    async close() {
      await worker.close();
      await rescanWorker.close();
      rescanConnection.disconnect();
      for (const q of resultQueues.values()) await q.close();
      connection.disconnect();
      resultsConnection.disconnect();
      await runner.close();
    },
  };
}
