import type { Category, ClassifierResult, Hit, Verdict } from './types.js';

/**
 * Per-category classifier thresholds. A classifier label (other than `clean`)
 * whose score reaches `review` raises the post to at least `review`; reaching
 * `block` raises it to `block`. `null` disables that step for the category.
 */
export interface ClassifierThresholds {
  review: number | null;
  block: number | null;
}

export interface VerdictPolicy {
  classifier: Partial<Record<string, ClassifierThresholds>>;
}

export const DEFAULT_VERDICT_POLICY: VerdictPolicy = {
  classifier: {},
};

const RANK: Record<Verdict, number> = { pass: 0, review: 1, block: 2 };

function max(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Combines rule findings and the classifier's opinion into the post's machine
 * verdict. Rules decide by their `action`; the classifier can only raise the
 * verdict, never lower what a rule found.
 */
export function decideVerdict(
  hits: readonly Hit[],
  classifier: ClassifierResult | null,
  policy: VerdictPolicy = DEFAULT_VERDICT_POLICY,
): Verdict {
  let verdict: Verdict = 'pass';
  for (const h of hits) {
    if (h.action === 'block') verdict = max(verdict, 'block');
    else if (h.action === 'review') verdict = max(verdict, 'review');
  }
  if (classifier && classifier.label !== 'clean') {
    const t = policy.classifier[classifier.label];
    if (t?.block != null && classifier.score >= t.block) verdict = max(verdict, 'block');
    else if (t?.review != null && classifier.score >= t.review) verdict = max(verdict, 'review');
  }
  return verdict;
}

/** Distinct categories of the findings that are not merely informational, in first-seen order. */
export function findingCategories(hits: readonly Hit[]): Category[] {
  const seen = new Set<Category>();
  for (const h of hits) if (h.action !== 'info') seen.add(h.category);
  return [...seen];
}
