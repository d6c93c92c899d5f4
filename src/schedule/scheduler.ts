/**
 * Periodic work of the server: publish scheduled posts that are due, raise
 * account-freshness alerts, and start the daily cleanup scan. One `tick`
 * (ticker.ts, runtime-neutral); two ways of firing it on Node: a timer in the embedded mode, a BullMQ job
 * scheduler with REDIS_URL (so the schedule lives in Redis and survives restarts).
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Ticker } from './ticker.js';

export { Ticker, type TickReport, type TickStore, type TickCleanup } from './ticker.js';

export const SCHEDULER_QUEUE = 'lastgate-scheduler';

export interface Scheduler {
  close(): Promise<void>;
}

/** Fires the ticker every `everyMs` from a timer in this process. */
export function embeddedScheduler(ticker: Ticker, everyMs: number): Scheduler {
  let last: Promise<unknown> = Promise.resolve();
  const fire = () => {
    last = ticker.tick().catch((err: Error) => console.error(`lastgate scheduler: ${err.message}`));
  };
  const timer = setInterval(fire, everyMs);
  timer.unref();
  const first = setTimeout(fire, Math.min(everyMs, 2000));
  first.unref();
  return {
    /** Stops the timers and waits for a tick under way, so the database is never closed under it. */
    async close() {
      clearInterval(timer);
      clearTimeout(first);
      await last;
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
