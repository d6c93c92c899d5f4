/**
 * The machine-review job: the one processor function that every transport runs
 * (embedded worker threads and BullMQ workers alike). It only computes; the
 * transport hands the outcome to the store, which applies it idempotently.
 */
import { reviewPost, type MachineReviewerParts } from '../review/processor.js';
import type { MachineReviewResult, ReviewInput } from '../review/types.js';

export const MACHINE_REVIEW_QUEUE = 'lastgate-machine-review';
export const MACHINE_REVIEW_RESULTS_QUEUE = 'lastgate-machine-review-results';

export interface MachineReviewJobData {
  versionId: number;
  input: ReviewInput;
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
  const result = await reviewPost(data.input, parts);
  return { versionId: data.versionId, result, durationMs: performance.now() - started };
}

/** Retry delay after `attempts` failures: exponential from 1 s, capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60 * 1000);
}
