/**
 * The machine-review job: the one processor function that every transport runs
 * (embedded worker threads and BullMQ workers alike). It only computes; the
 * transport hands the outcome to the store, which applies it idempotently.
 */
import { reviewPost, type MachineReviewerParts } from '../review/processor.js';
import type { VerdictPolicy } from '../review/verdict.js';
import type { RulesOverlay } from '../rules/overlay.js';
import type { MachineReviewResult, ReviewInput } from '../review/types.js';

export const MACHINE_REVIEW_QUEUE = 'lastgate-machine-review';
/** Results of both job kinds come back to the server (which owns the database) on this queue. */
export const MACHINE_REVIEW_RESULTS_QUEUE = 'lastgate-machine-review-results';
export const RESCAN_QUEUE = 'lastgate-cleanup-rescan';

export interface MachineReviewJobData {
  versionId: number;
  input: ReviewInput;
  /**
   * The verdict policy in force when the job was queued (classifier thresholds
   * set by compliance). It travels with the job so that workers on other
   * machines need no database and every job is judged by one policy.
   */
  policy?: VerdictPolicy;
  /** Rules changed through the compliance API, laid over the packs (see rules/overlay.ts). */
  rules?: RulesOverlay;
  /** BullMQ: the queue the result goes to, the sending database's own (absent: the shared one of older servers). */
  resultsQueue?: string;
}

export interface MachineReviewJobResult {
  versionId: number;
  result: MachineReviewResult;
  durationMs: number;
}

/** A delay before each job, for fault-injection tests only (kill a worker mid-job). */
const FAULT_DELAY_MS = Number(process.env.LASTGATE_FAULT_JOB_DELAY_MS ?? 0);

export async function processMachineReviewJob(data: MachineReviewJobData, parts: MachineReviewerParts): Promise<MachineReviewJobResult> {
  const started = performance.now();
  if (FAULT_DELAY_MS > 0) await new Promise((r) => setTimeout(r, FAULT_DELAY_MS));
  const result = await reviewPost(data.input, data.policy ? { ...parts, policy: data.policy } : parts);
  return { versionId: data.versionId, result, durationMs: performance.now() - started };
}

/** A batch of published posts to re-review with today's rules (cleanup scan). */
export interface RescanBatchJobData {
  runId: number;
  seq: number;
  posts: Array<{ versionId: number; input: ReviewInput }>;
  rules?: RulesOverlay;
  /** As MachineReviewJobData.resultsQueue. */
  resultsQueue?: string;
}

export interface RescanBatchJobResult {
  runId: number;
  seq: number;
  /** Findings that ask for action (`review` or `block`), per version; versions without any are left out. */
  results: Array<{ versionId: number; hits: MachineReviewResult['hits'] }>;
  durationMs: number;
}

/**
 * The cleanup re-scan job: the same review pipeline, rules only (a re-scan asks
 * what today's rules and dates say about text already published; the model's
 * opinion of it did not change).
 */
export async function processRescanBatchJob(data: RescanBatchJobData, parts: MachineReviewerParts): Promise<RescanBatchJobResult> {
  const started = performance.now();
  const rulesOnly = { ...parts, classifier: null };
  const results: RescanBatchJobResult['results'] = [];
  for (const p of data.posts) {
    const r = await reviewPost(p.input, rulesOnly);
    const hits = r.hits.filter((h) => h.action !== 'info');
    if (hits.length > 0) results.push({ versionId: p.versionId, hits });
  }
  return { runId: data.runId, seq: data.seq, results, durationMs: performance.now() - started };
}

/** Retry delay after `attempts` failures: exponential from 1 s, capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60 * 1000);
}
