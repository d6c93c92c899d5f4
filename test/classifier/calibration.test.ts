import { describe, expect, it } from 'vitest';
import { chooseDecision, chooseLength, chooseThresholds, decisionProbs, fitTemperature, raisedLabel, softmax, type DevItem, type LongItem } from '../../src/classifier/calibration.js';
import { auc, badOverClean, compare } from '../../src/classifier/comparison.js';
import { seededRandom } from '../../src/random.js';
import type { LabelledText } from '../../src/classifier/training-data.js';

/** Dev items whose logits are drawn around their gold label, and official paragraphs that lean clean with a few outliers. */
function items(seed = 1): DevItem[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const out: DevItem[] = [];
  const logits = (gold: number, strength: number) => Array.from({ length: 6 }, (_, c) => (c === gold ? strength : 0) + gauss());
  for (let i = 0; i < 600; i++) out.push({ set: 'synthetic', gold: i % 6, z: logits(i % 6, 3), windows: 10 });
  for (let i = 0; i < 400; i++) out.push({ set: 'cold', gold: i % 2 ? 5 : 0, z: logits(i % 2 ? 5 : 0, 2), windows: 5 });
  for (let i = 0; i < 400; i++) out.push({ set: 'official', gold: 0, z: logits(0, i % 50 === 0 ? -2 : 4), windows: 60 });
  out.push({ set: 'seed', gold: 0, z: logits(0, 4), windows: 900 });
  return out;
}

describe('calibration', () => {
  it('raises a text only when its top label is not clean and reaches its threshold', () => {
    const t = [0, 0.5, 0.5, 0.5, 0.9, 0.5];
    expect(raisedLabel([0.6, 0.4, 0, 0, 0, 0], t)).toBe(0);
    expect(raisedLabel([0.3, 0.7, 0, 0, 0, 0], t)).toBe(1);
    expect(raisedLabel([0.2, 0, 0, 0, 0.8, 0], t)).toBe(0);
    expect(raisedLabel([0.4, 0.45, 0.15, 0, 0, 0], t)).toBe(0);
  });

  it('applies temperature, margin and length correction to the clean logit as served', () => {
    const item: DevItem = { set: 'synthetic', gold: 0, z: [1, 2, 0, 0, 0, 0], windows: Math.E ** 4 };
    const p = decisionProbs(item, { temperature: 2, margin: 0.5, coefficient: 0.25 });
    expect(p).toEqual(softmax([0.5 + 0.5 + 1, 1, 0, 0, 0, 0]));
  });

  it('finds the temperature that generated the logits', () => {
    const rand = seededRandom(5);
    const xs: DevItem[] = [];
    for (let i = 0; i < 3000; i++) {
      const z = Array.from({ length: 6 }, () => rand() * 6);
      // Gold drawn from softmax(z / 2): the best temperature is about 2.
      const p = softmax(z.map((v) => v / 2));
      let u = rand();
      let gold = 0;
      while (gold < 5 && (u -= p[gold]!) > 0) gold++;
      xs.push({ set: 'synthetic', gold, z, windows: 1 });
    }
    expect(Math.abs(fitTemperature(xs) - 2)).toBeLessThanOrEqual(0.3);
  });

  it('keeps the official paragraphs within the budget and the seeds clean', () => {
    const dev = items();
    for (const budget of [0.005, 0.02]) {
      const choice = chooseDecision(dev, 1, 0, budget)!;
      expect(choice.figures.officialRaised).toBeLessThanOrEqual(budget);
      expect(choice.figures.seedsClean).toBe(true);
      // Tighter budgets never buy a better objective.
      if (budget === 0.02) expect(choice.figures.objective).toBeGreaterThanOrEqual(chooseDecision(dev, 1, 0, 0.005)!.figures.objective);
    }
    // A seed that leans bad at every margin makes every margin inadmissible.
    const badSeed = [...dev, { set: 'seed' as const, gold: 0, z: [0, 30, 0, 0, 0, 0], windows: 1 }];
    expect(chooseThresholds(badSeed, { temperature: 1, margin: 0, coefficient: 0 }, 0.005)).toBeNull();
  });

  it('takes no length coefficient that lets a long document hide a bad text', () => {
    const dev = items();
    const rand = seededRandom(9);
    const long: LongItem[] = [];
    for (let i = 0; i < 40; i++) {
      // Long clean documents lean a little bad (their worst of many windows); bad ones hold a clearly bad window.
      long.push({ kind: 'clean', set: 'official', gold: 0, z: [1.5 + rand(), 1.5, 0, 0, 0, 0], windows: 3000 });
      const inserted: DevItem = { set: 'synthetic', gold: 1, z: [0, 2 + rand(), 0, 0, 0, 0], windows: 8 };
      long.push({ kind: 'bad', set: 'official', gold: 0, z: [0, 2 + rand(), 0, 0, 0, 0], windows: 3000, inserted });
    }
    const { chosen, trials } = chooseLength(dev, long, 1, 0.02, [0, 0.1, 0.2, 0.4, 0.8]);
    expect(chosen.longBadRaised).toBeGreaterThanOrEqual(chosen.devBadRaised);
    // The largest coefficient pushes the bad documents under: it must not be chosen.
    expect(trials.find((t) => t.coefficient === 0.8)!.longBadRaised).toBeLessThan(trials.find((t) => t.coefficient === 0.8)!.devBadRaised);
    expect(chosen.coefficient).toBeLessThan(0.8);
  });
});

describe('comparison figures', () => {
  it('computes a rank AUC with ties', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1], [1])).toBe(0.5);
    expect(auc([1, 3], [2])).toBe(0.5);
  });

  it('reads "not clean" from the probabilities', () => {
    expect(badOverClean({ clean: 0.5, vulgar: 0.25, ads: 0.25 })).toBeCloseTo(0, 12);
    const texts: LabelledText[] = [
      { id: 'a', set: 'official', part: 'dev', label: 0, text: '' },
      { id: 'b', set: 'cold', part: 'dev', label: 5, text: '' },
      { id: 'c', set: 'cold', part: 'dev', label: 0, text: '' },
    ];
    const c = compare(texts, [
      { label: 'clean', score: 0.9, scores: { clean: 0.9, secret: 0, political: 0, illegal: 0, ads: 0, vulgar: 0.1 } },
      { label: 'vulgar', score: 0.8, scores: { clean: 0.2, secret: 0, political: 0, illegal: 0, ads: 0, vulgar: 0.8 } },
      { label: 'vulgar', score: 0.6, scores: { clean: 0.4, secret: 0, political: 0, illegal: 0, ads: 0, vulgar: 0.6 } },
    ]);
    expect(c.argmax).toMatchObject({ officialRaised: 0, coldRecall: 1, coldCleanFlagged: 1 });
    expect(c.coldAuc).toBe(1);
  });
});

describe('length coefficient fallback', () => {
  it('takes the coefficient that hides least when none keeps the long bad documents at the rate of the bad texts alone', () => {
    const dev = items(3);
    // Every long bad document scores far below its inserted text alone: no coefficient is admissible.
    const long: LongItem[] = Array.from({ length: 20 }, (_, i) => ({ kind: 'bad', set: 'official' as const, gold: 0, z: [2 + i * 0.01, 0, 0, 0, 0, 0], windows: 1000, inserted: { set: 'synthetic' as const, gold: 1, z: [0, 6, 0, 0, 0, 0], windows: 3 } }));
    const { chosen, trials } = chooseLength(dev, long, 1, 0.02, [0, 0.2, 0.5]);
    const gap = (t: (typeof trials)[number]) => t.longBadRaised - t.devBadRaised;
    expect(trials.every((t) => gap(t) < -0.01)).toBe(true);
    expect(gap(chosen)).toBe(Math.max(...trials.map(gap)));
  });
});
