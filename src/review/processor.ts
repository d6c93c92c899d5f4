import type { MachineReviewResult, ReviewInput, RuleMatcher, TextClassifier } from './types.js';
import { decideVerdict, findingCategories, DEFAULT_VERDICT_POLICY, type VerdictPolicy } from './verdict.js';

export interface MachineReviewerParts {
  rules: RuleMatcher;
  /** Omit (or pass null) to review with rules only, e.g. `lastgate scan --no-classifier`. */
  classifier?: TextClassifier | null;
  policy?: VerdictPolicy;
  /** Recorded in the result when there is no classifier: why it could not run (e.g. on Workers). */
  classifierSkipped?: string;
}

/**
 * Machine review of one post version: rule findings + classifier score → verdict.
 * This is the single pipeline every transport runs (embedded worker pool,
 * BullMQ workers, `lastgate scan`); nothing else computes a verdict.
 */
export async function reviewPost(input: ReviewInput, parts: MachineReviewerParts): Promise<MachineReviewResult> {
  const hits = parts.rules.scan(input);
  let classifier = null;
  if (parts.classifier) {
    const text = input.title ? `${input.title}\n${input.body}` : input.body;
    [classifier] = await parts.classifier.classify([text]);
  }
  return {
    verdict: decideVerdict(hits, classifier ?? null, parts.policy ?? DEFAULT_VERDICT_POLICY),
    categories: findingCategories(hits),
    hits,
    classifier: classifier ?? null,
    rulesVersion: parts.rules.version,
    modelVersion: parts.classifier?.version ?? null,
    ...(!parts.classifier && parts.classifierSkipped ? { classifierSkipped: parts.classifierSkipped } : {}),
  };
}
