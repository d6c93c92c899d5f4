import type { Category, ClassifierResult, Hit, Verdict } from './types.js';

/**
 * Per-category classifier thresholds. A classifier label (other than `clean`)
 * whose score reaches `review` raises the post to `review`. A classifier
 * signal never blocks on its own (a block needs a rule finding with a span a
 * person can see), so `block` is always null; it stays in the shape for the
 * settings API and LASTGATE_CLASSIFIER_THRESHOLDS, which refuse any other value.
 */
export interface ClassifierThresholds {
  review: number | null;
  block: null;
}

export interface VerdictPolicy {
  classifier: Partial<Record<string, ClassifierThresholds>>;
}

/**
 * Default classifier thresholds of the shipped model
 * (`models/lastgate-zh-charft-2.0.0/lastgate.json`, `validation.suggestedThresholds`),
 * chosen on dev only by scripts/train.ts (src/classifier/calibration.ts): with
 * the card's temperature and clean margin, at most 0.5 % of the real official
 * dev paragraphs (and neither seed document) are raised by the classifier
 * alone, and within that the best balance of recall (synthetic labels, COLD
 * offensive comments) against false alarms. The real holdout figures in
 * EVALUATION.md only check them.
 *
 * A post is raised to `review` when a non-clean label is the classifier's top
 * label with probability ≥ its `review` threshold. The classifier never
 * blocks on its own (a block needs a rule finding with a span a person can
 * see) and never lowers what a rule decided.
 */
export const DEFAULT_CLASSIFIER_THRESHOLDS: Readonly<Record<string, ClassifierThresholds>> = {
  secret: { review: 0.3, block: null },
  political: { review: 0.3, block: null },
  illegal: { review: 0.3, block: null },
  ads: { review: 0.3, block: null },
  vulgar: { review: 0.7, block: null },
};

export const DEFAULT_VERDICT_POLICY: VerdictPolicy = {
  classifier: { ...DEFAULT_CLASSIFIER_THRESHOLDS },
};

/**
 * A policy with per-category overrides (e.g. from configuration or the
 * compliance officer's API) applied over the defaults; a `review` of `null`
 * switches the classifier off for that label.
 */
export function withClassifierThresholds(overrides: Partial<Record<string, { review?: number | null; block?: null }>>, base: VerdictPolicy = DEFAULT_VERDICT_POLICY): VerdictPolicy {
  const classifier: Partial<Record<string, ClassifierThresholds>> = { ...base.classifier };
  for (const [label, o] of Object.entries(overrides)) {
    if (!o) continue;
    const current = classifier[label] ?? { review: null, block: null };
    classifier[label] = { review: o.review !== undefined ? o.review : current.review, block: null };
  }
  return { ...base, classifier };
}

const RANK: Record<Verdict, number> = { pass: 0, review: 1, block: 2 };

function max(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Whether the classifier's top label is not clean and reaches its review threshold: the model alone asks a person to look. */
export function classifierRaises(classifier: ClassifierResult | null, policy: VerdictPolicy = DEFAULT_VERDICT_POLICY): boolean {
  if (!classifier || classifier.label === 'clean') return false;
  const t = policy.classifier[classifier.label];
  return t?.review != null && classifier.score >= t.review;
}

/**
 * Combines rule findings and the classifier's opinion into the post's machine
 * verdict. Rules decide by their `action`; the classifier can raise the
 * verdict to `review`, never to `block` and never lower what a rule found.
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
  if (classifierRaises(classifier, policy)) verdict = max(verdict, 'review');
  return verdict;
}

/** Distinct categories of the findings that are not merely informational, in first-seen order. */
export function findingCategories(hits: readonly Hit[]): Category[] {
  const seen = new Set<Category>();
  for (const h of hits) if (h.action !== 'info') seen.add(h.category);
  return [...seen];
}
