import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decideVerdict, DEFAULT_VERDICT_POLICY, withClassifierThresholds } from '../../src/review/verdict.js';
import { MODEL_ID, MODELS_DIR, type ModelCard } from '../../src/classifier/model-files.js';
import { suggestThresholds } from '../../src/classifier/thresholds.js';
import type { ClassifierResult } from '../../src/review/types.js';

const c = (label: string, score: number): ClassifierResult => ({ label, score });

describe('classifier thresholds in the verdict policy', () => {
  it('defaults are the ones the shipped model’s validation curve suggests', () => {
    const card = JSON.parse(readFileSync(`${MODELS_DIR}${MODEL_ID}/lastgate.json`, 'utf8')) as ModelCard;
    const suggested = (card.validation as { suggestedThresholds: unknown }).suggestedThresholds;
    expect(DEFAULT_VERDICT_POLICY.classifier).toEqual(suggested);
  });

  it('the classifier alone raises to review, blocks only secret and illegal, and never blocks political/ads/vulgar', () => {
    const d = DEFAULT_VERDICT_POLICY.classifier;
    const below = (x: number) => x - 0.01;
    expect(decideVerdict([], c('clean', 0.99))).toBe('pass');
    expect(decideVerdict([], c('ads', below(d.ads!.review!)))).toBe('pass');
    expect(decideVerdict([], c('ads', d.ads!.review!))).toBe('review');
    expect(decideVerdict([], c('political', below(d.political!.review!)))).toBe('pass');
    expect(decideVerdict([], c('political', d.political!.review!))).toBe('review');
    expect(decideVerdict([], c('ads', 0.999))).toBe('review');
    expect(decideVerdict([], c('political', 0.999))).toBe('review');
    expect(decideVerdict([], c('vulgar', 0.999))).toBe('review');
    expect(decideVerdict([], c('secret', d.secret!.review!))).toBe('review');
    expect(decideVerdict([], c('secret', below(d.secret!.block!)))).toBe('review');
    expect(decideVerdict([], c('secret', d.secret!.block!))).toBe('block');
    expect(decideVerdict([], c('illegal', d.illegal!.block!))).toBe('block');
    expect(d.political!.block).toBeNull();
    expect(d.ads!.block).toBeNull();
    expect(d.vulgar!.block).toBeNull();
  });

  it('overrides replace single steps and keep the rest', () => {
    const policy = withClassifierThresholds({ ads: { review: 0.9 }, secret: { block: null } });
    expect(policy.classifier.ads).toEqual({ review: 0.9, block: null });
    expect(policy.classifier.secret).toEqual({ review: DEFAULT_VERDICT_POLICY.classifier.secret!.review, block: null });
    expect(decideVerdict([], c('ads', 0.8), policy)).toBe('pass');
    expect(decideVerdict([], c('secret', 0.999), policy)).toBe('review');
    expect(DEFAULT_VERDICT_POLICY.classifier.secret!.block).not.toBeNull();
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
