/**
 * The figures candidate models are compared by on the dev texts
 * (training-data.ts), the same as `dev_report` in scripts/classifier/train.py:
 *
 * - at the model's own decision (`argmax`): share of official paragraphs
 *   whose top label is not clean, COLD recall (offensive texts not called
 *   clean) and COLD false alarms (non-offensive texts not called clean),
 *   synthetic macro-F1;
 * - the same at the clean margin (a shift of the clean logit) that leaves at
 *   most 0.5 % of the official dev paragraphs not clean (`atOfficial0.5%`),
 *   and at the margin that keeps COLD recall at 80 % (`atColdRecall80`);
 * - COLD ROC-AUC of "not clean" against "clean".
 *
 * Everything is computed from the label probabilities, so every model
 * format compares the same way.
 */
import { LABELS } from './model-files.js';
import type { LabelledText } from './training-data.js';
import type { ClassifierResult } from '../review/types.js';

export interface OperatingPoint {
  margin: number;
  officialRaised?: number;
  coldRecall?: number;
  coldVulgarRecall?: number;
  coldCleanFlagged?: number;
  syntheticMacroF1?: number;
  syntheticCleanFlagged?: number;
  syntheticBadMissed?: number;
}

export interface Comparison {
  argmax: OperatingPoint;
  coldAuc?: number;
  'atOfficial0.5%'?: OperatingPoint;
  atColdRecall80?: OperatingPoint;
}

/** ln(Σ p(bad) / p(clean)): the clean margin a text needs to be called clean at the argmax (roughly). */
export function badOverClean(scores: Record<string, number>): number {
  const clean = Math.max(scores.clean ?? 0, 1e-300);
  const bad = LABELS.slice(1).reduce((s, l) => s + (scores[l] ?? 0), 0);
  return Math.log(Math.max(bad, 1e-300) / clean);
}

function predict(scores: Record<string, number>, margin: number): number {
  let best = 0;
  let bestV = Math.log(Math.max(scores.clean ?? 0, 1e-300)) + margin;
  LABELS.forEach((l, i) => {
    if (i === 0) return;
    const v = Math.log(Math.max(scores[l] ?? 0, 1e-300));
    if (v > bestV) [best, bestV] = [i, v];
  });
  return best;
}

export function auc(pos: readonly number[], neg: readonly number[]): number {
  const all = [...pos.map((v) => [v, 1] as const), ...neg.map((v) => [v, 0] as const)].sort((a, b) => a[0] - b[0]);
  // Average ranks for ties.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]![1] === 1) rankSum += rank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

export function compare(texts: readonly LabelledText[], results: readonly ClassifierResult[]): Comparison {
  const scores = results.map((r) => r.scores ?? { [r.label]: r.score });
  const need = scores.map(badOverClean);
  const idx = (f: (t: LabelledText) => boolean) => texts.map((t, i) => (f(t) ? i : -1)).filter((i) => i >= 0);
  const official = idx((t) => t.set === 'official');
  const coldBad = idx((t) => t.set === 'cold' && t.label !== 0);
  const coldClean = idx((t) => t.set === 'cold' && t.label === 0);
  const synthetic = idx((t) => t.set === 'synthetic');
  const share = (is: number[], f: (i: number) => boolean) => (is.length ? is.filter(f).length / is.length : 0);

  const at = (margin: number): OperatingPoint => {
    const pred = scores.map((s) => predict(s, margin));
    const p: OperatingPoint = { margin };
    if (official.length) p.officialRaised = share(official, (i) => pred[i] !== 0);
    if (coldBad.length) {
      p.coldRecall = share(coldBad, (i) => pred[i] !== 0);
      p.coldVulgarRecall = share(coldBad, (i) => pred[i] === 5);
      p.coldCleanFlagged = share(coldClean, (i) => pred[i] !== 0);
    }
    if (synthetic.length) {
      const f1s = LABELS.map((_, k) => {
        const tp = synthetic.filter((i) => texts[i]!.label === k && pred[i] === k).length;
        const predicted = synthetic.filter((i) => pred[i] === k).length;
        const gold = synthetic.filter((i) => texts[i]!.label === k).length;
        const precision = predicted ? tp / predicted : 0;
        const recall = gold ? tp / gold : 0;
        return tp === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      });
      p.syntheticMacroF1 = f1s.reduce((a, b) => a + b, 0) / f1s.length;
      p.syntheticCleanFlagged = share(synthetic.filter((i) => texts[i]!.label === 0), (i) => pred[i] !== 0);
      p.syntheticBadMissed = share(synthetic.filter((i) => texts[i]!.label !== 0), (i) => pred[i] === 0);
    }
    return p;
  };

  const out: Comparison = { argmax: at(0) };
  if (coldBad.length && coldClean.length) out.coldAuc = auc(coldBad.map((i) => need[i]!), coldClean.map((i) => need[i]!));
  if (official.length) {
    const sorted = official.map((i) => need[i]!).sort((a, b) => a - b);
    out['atOfficial0.5%'] = at(sorted[Math.floor(0.995 * sorted.length)]!);
  }
  if (coldBad.length) {
    const sorted = coldBad.map((i) => need[i]!).sort((a, b) => a - b);
    out.atColdRecall80 = at(sorted[Math.floor(0.2 * sorted.length)]!);
  }
  return out;
}

export function formatComparison(name: string, c: Comparison): string {
  const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
  const p = (o: OperatingPoint | undefined) => (o ? `official ${f(o.officialRaised)} · COLD R ${f(o.coldRecall)} FP ${f(o.coldCleanFlagged)} · synthetic F1 ${f(o.syntheticMacroF1)} missed ${f(o.syntheticBadMissed)}` : '—');
  return `${name}\n  argmax:          ${p(c.argmax)}\n  COLD AUC ${f(c.coldAuc)}\n  @official 0.5 %: ${p(c['atOfficial0.5%'])}\n  @COLD recall 80: ${p(c.atColdRecall80)}`;
}
