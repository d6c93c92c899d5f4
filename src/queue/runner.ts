/**
 * Where a machine-review job's CPU work runs. The embedded transport uses a
 * worker-thread pool so matching and inference stay off the server's event
 * loop; BullMQ worker processes run jobs in their own process.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  processMachineReviewJob,
  processRescanBatchJob,
  type MachineReviewJobData,
  type MachineReviewJobResult,
  type RescanBatchJobData,
  type RescanBatchJobResult,
} from './job.js';
import { Reviewer, type ReviewerOptions } from '../review/parts.js';

/** One job's outcome in a batch: its result, or why it failed (the others are not affected). */
export type BatchOutcome = MachineReviewJobResult | { versionId: number; error: string };

export interface JobRunner {
  run(data: MachineReviewJobData): Promise<MachineReviewJobResult>;
  /**
   * Several machine-review jobs in one hand-over (one message to a pool
   * thread), each through the same processor as `run`, outcomes in order.
   * Optional: the embedded transport falls back to `run` per job.
   */
  runBatch?(jobs: MachineReviewJobData[]): Promise<BatchOutcome[]>;
  rescan(data: RescanBatchJobData): Promise<RescanBatchJobResult>;
  close(): Promise<void>;
}

/** Runs jobs one after the other, a failure recorded as that job's outcome. */
export async function runJobs(jobs: MachineReviewJobData[], run: (data: MachineReviewJobData) => Promise<MachineReviewJobResult>): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for (const data of jobs) {
    try {
      out.push(await run(data));
    } catch (err) {
      out.push({ versionId: data.versionId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  }
  return out;
}

/** Runs jobs on the calling thread (BullMQ worker processes, tests). */
export class InlineRunner implements JobRunner {
  private reviewer: Promise<Reviewer>;
  constructor(opts: ReviewerOptions = {}) {
    this.reviewer = Reviewer.load(opts);
    this.reviewer.catch(() => {});
  }
  async run(data: MachineReviewJobData) {
    return processMachineReviewJob(data, (await this.reviewer).partsFor(data.rules));
  }
  async runBatch(jobs: MachineReviewJobData[]): Promise<BatchOutcome[]> {
    return runJobs(jobs, (data) => this.run(data));
  }
  async rescan(data: RescanBatchJobData) {
    return processRescanBatchJob(data, (await this.reviewer).partsFor(data.rules));
  }
  async close() {
    (await this.reviewer.catch(() => null))?.close();
  }
}

const THREAD_ENTRY = fileURLToPath(new URL('../../workers/review-thread.mjs', import.meta.url));

/** Runs jobs on a pool of worker threads, each with its own rule engine and model. */
export class PoolRunner implements JobRunner {
  private pool: Piscina;
  constructor(opts: ReviewerOptions & { threads?: number } = {}) {
    const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    const { threads: _t, ...reviewer } = opts;
    this.pool = new Piscina({
      filename: THREAD_ENTRY,
      minThreads: threads,
      maxThreads: threads,
      workerData: reviewer,
      idleTimeout: Infinity,
      // 'async' lets an idle thread's event loop run (the rule-pack watcher needs it).
      atomics: 'async',
    });
  }
  run(data: MachineReviewJobData): Promise<MachineReviewJobResult> {
    return this.pool.run(data, { name: 'run' });
  }
  runBatch(jobs: MachineReviewJobData[]): Promise<BatchOutcome[]> {
    return this.pool.run(jobs, { name: 'runBatch' });
  }
  rescan(data: RescanBatchJobData): Promise<RescanBatchJobResult> {
    return this.pool.run(data, { name: 'rescan' });
  }
  async close() {
    await this.pool.destroy();
  }
}
