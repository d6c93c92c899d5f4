/**
 * How default classifier thresholds are read off the validation curve.
 *
 * - `review`: the lowest threshold at which the label's one-vs-rest precision
 *   on validation is at least {@link REVIEW_PRECISION}, and never below
 *   {@link REVIEW_FLOOR}; a post is raised to review when that label is the
 *   top label and its probability reaches it.
 * - `block`: only for labels whose rule findings block by default
 *   ({@link BLOCKING_LABELS}); the lowest threshold with validation precision
 *   of at least {@link BLOCK_PRECISION} over at least {@link BLOCK_MIN_FLAGGED}
 *   flagged posts, and never below {@link BLOCK_FLOOR}. Otherwise `null`: the
 *   classifier alone never blocks that label.
 *
 * "Validation" is the dev split (held-out templates and slot values of its
 * own, never the test split). The floors stay: a synthetic split is still
 * easier than real posts.
 */
import type { CurvePoint } from './metrics.js';

export const REVIEW_PRECISION = 0.9;
export const BLOCK_PRECISION = 0.99;
export const BLOCK_MIN_FLAGGED = 20;
export const BLOCKING_LABELS: readonly string[] = ['secret', 'illegal'];
export const REVIEW_FLOOR = 0.5;
export const BLOCK_FLOOR = 0.95;

export interface SuggestedThresholds {
  review: number | null;
  block: number | null;
}

export function suggestThresholds(curves: Record<string, CurvePoint[]>): Record<string, SuggestedThresholds> {
  const out: Record<string, SuggestedThresholds> = {};
  for (const [label, curve] of Object.entries(curves)) {
    const sorted = [...curve].sort((a, b) => a.threshold - b.threshold);
    const review = sorted.find((p) => p.flagged > 0 && p.precision >= REVIEW_PRECISION)?.threshold ?? null;
    const block = BLOCKING_LABELS.includes(label)
      ? (sorted.find((p) => p.flagged >= BLOCK_MIN_FLAGGED && p.precision >= BLOCK_PRECISION)?.threshold ?? null)
      : null;
    out[label] = {
      review: review === null ? null : Math.max(review, REVIEW_FLOOR),
      block: block === null ? null : Math.max(block, BLOCK_FLOOR),
    };
  }
  return out;
}
