/**
 * The reviewing half of `lastgate scan`: posts in, output lines of the
 * contract out, through the one machine-review processor (`reviewPost`).
 */
import { MODEL_LABEL } from '../review/model-finding.js';
import { reviewPost } from '../review/processor.js';
import type { Hit, MachineReviewResult, ReviewInput, RuleMatcher, TextClassifier } from '../review/types.js';
import { DEFAULT_VERDICT_POLICY, withClassifierThresholds, type VerdictPolicy } from '../review/verdict.js';
import { loadRuleEngine, type RuleEngineOptions } from '../rules/engine.js';

/** A post to review, with the id exactly as the input line gave it (a number stays a number). */
export interface ScanPost {
  rawId: unknown;
  post: ReviewInput;
}

/** How to build the reviewer: rules (with their cache), classifier on or off, threshold overrides. */
export interface ScanSetup {
  rules: Pick<RuleEngineOptions, 'rulesDir' | 'lexicons' | 'cacheDir'>;
  classifier: boolean;
  thresholds?: Partial<Record<string, { review?: number | null; block?: null }>>;
}

export interface ScanReviewer {
  /** Output lines (JSON, newline-terminated) for the posts, in order. */
  review(posts: ScanPost[]): Promise<string[]>;
  close(): Promise<void>;
}

/** The contract's hit shape (no extra fields). */
function outputHit(h: Hit) {
  return {
    field: h.field,
    start: h.start,
    end: h.end,
    text: h.text,
    rule: h.rule,
    category: h.category,
    gate: h.gate,
    severity: h.severity,
    action: h.action,
    ...(h.suggestion ? { suggestion: h.suggestion } : {}),
  };
}

/**
 * The contract's `classifier` ({label, score}) with the model's judgement as
 * a finding: model version, whether it raised the verdict (`action`), a
 * Chinese message, and the windows that drove it (spans of title or body).
 */
function classifierOutput(r: MachineReviewResult) {
  if (!r.classifier) return null;
  const { label, score } = r.classifier;
  const f = r.modelFinding;
  if (!f) return { label, score, model: r.modelVersion, action: 'info', message: `模型判断${MODEL_LABEL[label] ?? label}（${Math.round(score * 100)}%）` };
  return { label, score, model: f.model, category: f.category, gate: f.gate, action: f.action, message: f.message, evidence: f.evidence };
}

/** One output line of the contract for a reviewed post. */
export function outputLine(rawId: unknown, r: MachineReviewResult): string {
  return `${JSON.stringify({ id: rawId, verdict: r.verdict, categories: r.categories, hits: r.hits.map(outputHit), classifier: classifierOutput(r) })}\n`;
}

/** Loads the classifier unless disabled; only then is its module (and transformers.js) imported. */
export async function classifierFor(enabled: boolean): Promise<TextClassifier | null> {
  if (!enabled) return null;
  const { loadClassifier } = await import('../classifier/index.js');
  return loadClassifier();
}

const policyOf = (setup: ScanSetup): VerdictPolicy => (setup.thresholds ? withClassifierThresholds(setup.thresholds) : DEFAULT_VERDICT_POLICY);

/** Reviews on the calling thread; `loaded` spares loading what the caller already has. */
export async function inlineReviewer(setup: ScanSetup, loaded: { rules?: RuleMatcher; classifier?: TextClassifier | null } = {}): Promise<ScanReviewer> {
  const rules = loaded.rules ?? loadRuleEngine(setup.rules);
  const classifier = loaded.classifier !== undefined ? loaded.classifier : await classifierFor(setup.classifier);
  const policy = policyOf(setup);
  return {
    async review(posts) {
      const out: string[] = [];
      for (const p of posts) out.push(outputLine(p.rawId, await reviewPost(p.post, { rules, classifier, policy })));
      return out;
    },
    async close() {},
  };
}
