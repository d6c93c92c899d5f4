/**
 * Periodic work of the server: publish scheduled posts that are due, raise
 * account-freshness alerts, and start the daily cleanup scan. One `tick`
 * function; two ways of firing it: a timer in the embedded mode, a BullMQ job
 * scheduler with REDIS_URL (so the schedule lives in Redis and survives restarts).
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { SqliteStore } from '../store/sqlite.js';
import type { CleanupService } from '../cleanup/service.js';
import { today } from '../review/dates.js';

export const SCHEDULER_QUEUE = 'lastgate-scheduler';

export interface TickReport {
  at: string;
  published: string[];
  due: string[];
  alerts: number;
  cleanupRun: number | null;
}

export class Ticker {
  ticks = 0;
  last: TickReport | null = null;
  private running: Promise<TickReport> | null = null;

  constructor(
    private readonly store: SqliteStore,
    private readonly cleanup: CleanupService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs one tick (never two at once). */
  tick(): Promise<TickReport> {
    if (!this.running) {
      this.running = this.doTick().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async doTick(): Promise<TickReport> {
    const day = today(this.now());
    const { published, due } = await this.store.publishDue();
    const alerts = this.store.raiseFreshnessAlerts(day).length;
    let cleanupRun: number | null = null;
    const ranToday = this.store.db.$client.prepare(`SELECT count(*) FROM cleanup_runs WHERE trigger = 'schedule' AND as_of = ?`).pluck().get(day) as number;
    if (ranToday === 0 && this.cleanup.publishedCount() > 0) {
      cleanupRun = this.cleanup.startRun({ trigger: 'schedule', asOf: day }).id;
    }
    this.ticks++;
    this.last = { at: this.now().toISOString(), published, due, alerts, cleanupRun };
    return this.last;
  }
}

export interface Scheduler {
  close(): Promise<void>;
}

/** Fires the ticker every `everyMs` from a timer in this process. */
export function embeddedScheduler(ticker: Ticker, everyMs: number): Scheduler {
  const fire = () => void ticker.tick().catch((err: Error) => console.error(`lastgate scheduler: ${err.message}`));
  const timer = setInterval(fire, everyMs);
  timer.unref();
  setTimeout(fire, Math.min(everyMs, 2000)).unref();
  return {
    async close() {
      clearInterval(timer);
    },
  };
}

/** Fires the ticker from a BullMQ job scheduler (repeatable job kept in Redis). */
export async function bullScheduler(ticker: Ticker, redisUrl: string, everyMs: number): Promise<Scheduler> {
  const producer = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const consumer = new Redis(redisUrl, { maxRetriesPerRequest: null });
  producer.on('error', () => {});
  consumer.on('error', () => {});
  const queue = new Queue(SCHEDULER_QUEUE, { connection: producer });
  queue.on('error', () => {});
  const upsert = async () => queue.upsertJobScheduler('lastgate-tick', { every: everyMs }, { name: 'tick', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  // Redis may be down at start: keep trying in the background.
  void upsert().catch(() => {
    const retry = setInterval(() => void upsert().then(() => clearInterval(retry), () => undefined), 2000);
    retry.unref();
  });
  const worker = new Worker(SCHEDULER_QUEUE, async () => ticker.tick(), { connection: consumer, concurrency: 1 });
  worker.on('error', () => {});
  return {
    async close() {
      await worker.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    },
  };
}
