import type { MachineReviewResult, ReviewInput, RuleMatcher, TextClassifier } from './types.js';
import { modelFinding } from './model-finding.js';
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
  const policy = parts.policy ?? DEFAULT_VERDICT_POLICY;
  const finding = modelFinding(input, classifier ?? null, parts.classifier?.version ?? null, policy);
  const categories = findingCategories(hits);
  // When the classifier alone raised the post, its label is one of the post's categories too.
  if (finding?.action === 'review' && !categories.includes(finding.category)) categories.push(finding.category);
  return {
    verdict: decideVerdict(hits, classifier ?? null, policy),
    categories,
    hits,
    classifier: classifier ?? null,
    modelFinding: finding,
    rulesVersion: parts.rules.version,
    modelVersion: parts.classifier?.version ?? null,
    ...(!parts.classifier && parts.classifierSkipped ? { classifierSkipped: parts.classifierSkipped } : {}),
  };
}
