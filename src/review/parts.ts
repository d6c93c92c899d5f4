/**
 * Loads the parts of machine review (rule engine, classifier, verdict policy)
 * the same way for every transport: the embedded worker threads, BullMQ worker
 * processes and `lastgate scan` all call this, so they review identically.
 */
import type { MachineReviewerParts } from './processor.js';

export interface ReviewerOptions {
  /** Rule pack directory; default: the repo's `rules/`. */
  rulesDir?: string;
  /** Extra plain word lists loaded as `review` rules. */
  lexicons?: string[];
  /** Load the local classifier (default true). */
  classifier?: boolean;
}

export async function loadReviewerParts(opts: ReviewerOptions = {}): Promise<MachineReviewerParts> {
  const { loadRuleEngine } = await import('../rules/engine.js');
  const rules = loadRuleEngine({
    ...(opts.rulesDir ? { rulesDir: opts.rulesDir } : {}),
    ...(opts.lexicons ? { lexicons: opts.lexicons } : {}),
  });
  let classifier = null;
  if (opts.classifier !== false) {
    const { loadClassifier } = await import('../classifier/index.js');
    classifier = await loadClassifier();
  }
  return { rules, classifier };
}
