import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decideVerdict, DEFAULT_VERDICT_POLICY, withClassifierThresholds } from '../../src/review/verdict.js';
import { MODEL_ID, MODELS_DIR, type ModelCard } from '../../src/classifier/model-files.js';
import { suggestThresholds } from '../../src/classifier/thresholds.js';
import type { ClassifierResult } from '../../src/review/types.js';
import { ThresholdOverridesSchema } from '../../src/config.js';

const c = (label: string, score: number): ClassifierResult => ({ label, score });

describe('classifier thresholds in the verdict policy', () => {
  it('defaults are the review thresholds the shipped model’s validation curve suggests, with no block step', () => {
    const card = JSON.parse(readFileSync(`${MODELS_DIR}${MODEL_ID}/lastgate.json`, 'utf8')) as ModelCard;
    const suggested = (card.validation as { suggestedThresholds: Record<string, { review: number | null }> }).suggestedThresholds;
    for (const [label, t] of Object.entries(DEFAULT_VERDICT_POLICY.classifier)) expect(t, label).toEqual({ review: suggested[label]!.review, block: null });
  });

  it('the classifier alone raises to review and never blocks', () => {
    const d = DEFAULT_VERDICT_POLICY.classifier;
    const below = (x: number) => x - 0.01;
    expect(decideVerdict([], c('clean', 0.99))).toBe('pass');
    for (const label of ['secret', 'political', 'illegal', 'ads', 'vulgar']) {
      const t = d[label]!;
      expect(t.block).toBeNull();
      expect(t.review).toBeGreaterThan(0);
      expect(t.review).toBeLessThan(1);
      expect(decideVerdict([], c(label, below(t.review!)))).toBe('pass');
      expect(decideVerdict([], c(label, t.review!))).toBe('review');
      expect(decideVerdict([], c(label, 0.999))).toBe('review');
    }
  });

  it('overrides replace the review step; a block step cannot be set', () => {
    const policy = withClassifierThresholds({ ads: { review: 0.9 }, vulgar: { review: null } });
    expect(policy.classifier.ads).toEqual({ review: 0.9, block: null });
    expect(policy.classifier.secret).toEqual(DEFAULT_VERDICT_POLICY.classifier.secret);
    expect(decideVerdict([], c('ads', 0.85), policy)).toBe('pass');
    expect(decideVerdict([], c('vulgar', 0.999), policy)).toBe('pass');
    expect(decideVerdict([], c('secret', 0.999), policy)).toBe('review');
    expect(ThresholdOverridesSchema.safeParse({ illegal: { block: 0.98 } }).success).toBe(false);
    expect(ThresholdOverridesSchema.safeParse({ illegal: { block: null } }).success).toBe(true);
  });

  it('suggestThresholds applies precision targets and floors', () => {
    const curve = (points: Array<[number, number, number]>) => points.map(([threshold, precision, flagged]) => ({ threshold, precision, recall: 1, flagged }));
    const s = suggestThresholds({
      secret: curve([[0.3, 0.8, 50], [0.6, 0.92, 40], [0.96, 1, 30]]),
      ads: curve([[0.3, 0.95, 50]]),
    });
    expect(s.secret).toEqual({ review: 0.6, block: 0.96 });
    expect(s.ads).toEqual({ review: 0.5, block: null });
  });
});
