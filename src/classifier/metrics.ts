/**
 * Evaluation measures shared by training (threshold and temperature choice on
 * the validation split) and `npm run eval` (the held-out test split).
 */

export interface Prediction {
  /** Index of the true label. */
  gold: number;
  /** Probabilities per label, same order as the label list. */
  probs: number[];
}

export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

/** confusion[gold][predicted] */
export function confusionMatrix(preds: readonly Prediction[], labels: number): number[][] {
  const m = Array.from({ length: labels }, () => new Array<number>(labels).fill(0));
  for (const p of preds) m[p.gold]![argmax(p.probs)]!++;
  return m;
}

export function perLabel(confusion: number[][], names: readonly string[]): LabelMetrics[] {
  return names.map((label, i) => {
    const tp = confusion[i]![i]!;
    const predicted = confusion.reduce((s, row) => s + row[i]!, 0);
    const support = confusion[i]!.reduce((s, x) => s + x, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}

export const macroF1 = (m: readonly LabelMetrics[]): number => m.reduce((s, x) => s + x.f1, 0) / m.length;

export const accuracy = (confusion: number[][]): number => {
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  return total ? confusion.reduce((s, row, i) => s + row[i]!, 0) / total : 0;
};

export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/** Reliability of the top label's probability, in equal-width bins, and the expected calibration error. */
export function calibration(preds: readonly Prediction[], bins = 10): { bins: CalibrationBin[]; ece: number } {
  const out: CalibrationBin[] = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, count: 0, confidence: 0, accuracy: 0 }));
  for (const p of preds) {
    const top = argmax(p.probs);
    const conf = p.probs[top]!;
    const b = out[Math.min(bins - 1, Math.floor(conf * bins))]!;
    b.count++;
    b.confidence += conf;
    b.accuracy += top === p.gold ? 1 : 0;
  }
  let ece = 0;
  for (const b of out) {
    if (b.count === 0) continue;
    b.confidence /= b.count;
    b.accuracy /= b.count;
    ece += (b.count / preds.length) * Math.abs(b.confidence - b.accuracy);
  }
  return { bins: out, ece };
}

export function negativeLogLikelihood(preds: readonly Prediction[]): number {
  return preds.reduce((s, p) => s - Math.log(Math.max(p.probs[p.gold]!, 1e-12)), 0) / Math.max(preds.length, 1);
}

export interface CurvePoint {
  threshold: number;
  precision: number;
  recall: number;
  flagged: number;
}

/**
 * One-vs-rest precision/recall of "this post is `label`" when a post is flagged
 * as soon as the label's probability reaches the threshold — the rule
 * `decideVerdict` applies to the top label.
 */
export function thresholdCurve(preds: readonly Prediction[], label: number, thresholds: readonly number[]): CurvePoint[] {
  const positives = preds.filter((p) => p.gold === label).length;
  return thresholds.map((threshold) => {
    let tp = 0;
    let flagged = 0;
    for (const p of preds) {
      if (argmax(p.probs) !== label || p.probs[label]! < threshold) continue;
      flagged++;
      if (p.gold === label) tp++;
    }
    return { threshold, precision: flagged ? tp / flagged : 1, recall: positives ? tp / positives : 0, flagged };
  });
}

/**
 * One-sided lower confidence bound of a proportion (Wilson score interval,
 * z = 1.645 for 95 %): how low `successes / trials` may really be given the
 * sample. Model selection asks this bound, not the point estimate, to reach a
 * target, so a margin is not chosen at the edge of sampling noise.
 */
export function wilsonLower(successes: number, trials: number, z = 1.645): number {
  if (trials <= 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return (centre - spread) / (1 + z2 / trials);
}
