/**
 * How the served decision of a window model is calibrated on dev
 * (scripts/train.ts), as pure functions of the dev texts' worst-window
 * logits:
 *
 * 1. temperature: the grid value with the least negative log-likelihood of
 *    the dev texts' worst windows, each set (synthetic, COLD, official)
 *    weighing the same;
 * 2. clean margin and review thresholds (the rule of `chooseDecision`): a
 *    text is raised when its top label L is not clean and p(L) reaches the
 *    threshold of L. Among the margins of a grid, and thresholds lowered label
 *    by label from 0.99, keep those where at most `officialBudget` of the
 *    official dev paragraphs are raised and both seed documents score clean
 *    (top label);
 *    take the one with the best {@link objective}: the mean of synthetic
 *    recall (per label, the right label raised) and COLD recall (offensive
 *    texts raised), less the mean of the false alarms on synthetic clean and
 *    COLD non-offensive texts;
 * 3. length coefficient (length-correction.ts): see `chooseLength`.
 *
 * The worst window does not depend on the margin or the length correction
 * (both shift the clean logit of every window of a text alike), so the
 * choices below are arithmetic on one scoring of dev.
 */
import { LABELS } from './model-files.js';

export interface DevItem {
  set: 'synthetic' | 'cold' | 'official' | 'seed';
  gold: number;
  /** Raw logits of the text's worst window (before temperature). */
  z: readonly number[];
  /** Windows scored (for the length correction). */
  windows: number;
}

export interface Decision {
  temperature: number;
  margin: number;
  coefficient: number;
  /** Review threshold per label index (index 0 unused). */
  thresholds: number[];
}

/** At most this share of the official dev paragraphs may be raised by the classifier alone (the holdout target is 2 %). */
export const OFFICIAL_BUDGET = 0.005;

export const THRESHOLD_GRID = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.97, 0.98, 0.99];
export const MARGIN_GRID = Array.from({ length: 33 }, (_, i) => -4 + i * 0.25);
export const TEMPERATURE_GRID = Array.from({ length: 36 }, (_, i) => Math.round((0.5 + i * 0.1) * 100) / 100);

export function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Probabilities of the served decision. */
export function decisionProbs(item: DevItem, d: Pick<Decision, 'temperature' | 'margin' | 'coefficient'>): number[] {
  const z = item.z.map((v) => v / d.temperature);
  z[0]! += d.margin + d.coefficient * Math.log(Math.max(item.windows, 1));
  return softmax(z);
}

/** The label a text is raised with, or 0 when the classifier alone does not raise it. */
export function raisedLabel(probs: readonly number[], thresholds: readonly number[]): number {
  let top = 0;
  for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[top]!) top = c;
  return top !== 0 && probs[top]! >= thresholds[top]! ? top : 0;
}

export function fitTemperature(items: readonly DevItem[], grid = TEMPERATURE_GRID): number {
  const sets = [...new Set(items.map((i) => i.set))].filter((s) => s !== 'seed');
  let best = 1;
  let bestNll = Infinity;
  for (const t of grid) {
    let nll = 0;
    for (const s of sets) {
      const xs = items.filter((i) => i.set === s);
      let sum = 0;
      for (const x of xs) sum -= Math.log(Math.max(softmax(x.z.map((v) => v / t))[x.gold]!, 1e-12));
      nll += sum / xs.length;
    }
    if (nll < bestNll - 1e-12) [best, bestNll] = [t, nll];
  }
  return best;
}

export interface Figures {
  officialRaised: number;
  syntheticRecall: number[];
  syntheticMeanRecall: number;
  syntheticCleanRaised: number;
  coldRecall: number;
  coldCleanRaised: number;
  seedsClean: boolean;
  objective: number;
}

/** Raised labels of every item under a decision. */
export function raisedAll(items: readonly DevItem[], d: Decision): number[] {
  return items.map((i) => raisedLabel(decisionProbs(i, d), d.thresholds));
}

export function figures(items: readonly DevItem[], raised: readonly number[]): Figures {
  // One pass: counts per group.
  const C = LABELS.length;
  const synN = new Array<number>(C).fill(0);
  const synRight = new Array<number>(C).fill(0);
  let coldBad = 0;
  let coldBadRaised = 0;
  let coldClean = 0;
  let coldCleanRaised = 0;
  let official = 0;
  let officialRaised = 0;
  let seedsClean = true;
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    const r = raised[k]!;
    if (it.set === 'synthetic') {
      synN[it.gold]!++;
      if (it.gold === 0 ? r !== 0 : r === it.gold) synRight[it.gold]!++;
    } else if (it.set === 'cold') {
      if (it.gold !== 0) {
        coldBad++;
        if (r !== 0) coldBadRaised++;
      } else {
        coldClean++;
        if (r !== 0) coldCleanRaised++;
      }
    } else if (it.set === 'official') {
      official++;
      if (r !== 0) officialRaised++;
    } else if (r !== 0) seedsClean = false;
  }
  const ratio = (a: number, b: number) => (b ? a / b : 0);
  const syntheticRecall = LABELS.map((_, L) => (L === 0 ? 0 : ratio(synRight[L]!, synN[L]!)));
  const syntheticMeanRecall = syntheticRecall.slice(1).reduce((a, b) => a + b, 0) / (C - 1);
  const f = {
    officialRaised: ratio(officialRaised, official),
    syntheticRecall,
    syntheticMeanRecall,
    syntheticCleanRaised: ratio(synRight[0]!, synN[0]!),
    coldRecall: ratio(coldBadRaised, coldBad),
    coldCleanRaised: ratio(coldCleanRaised, coldClean),
    seedsClean,
  };
  return { ...f, objective: objective(f) };
}

export function objective(f: Pick<Figures, 'syntheticMeanRecall' | 'coldRecall' | 'syntheticCleanRaised' | 'coldCleanRaised'>): number {
  return (f.syntheticMeanRecall + f.coldRecall) / 2 - (f.syntheticCleanRaised + f.coldCleanRaised) / 2;
}

export interface DecisionChoice {
  decision: Decision;
  figures: Figures;
  /** The best thresholds found for every margin of the grid (for the record). */
  perMargin: Array<{ margin: number; thresholds: number[]; figures: Figures } | { margin: number; admissible: false }>;
}

/**
 * Thresholds for a fixed temperature, margin and coefficient: start at 0.99
 * for every label, then, three rounds over the labels, set each label's
 * threshold to the grid value with the best objective that keeps the
 * constraints (official paragraphs raised ≤ budget, seeds clean).
 */
export function chooseThresholds(items: readonly DevItem[], base: Omit<Decision, 'thresholds'>, officialBudget: number): { thresholds: number[]; figures: Figures } | null {
  const probs = items.map((i) => decisionProbs(i, base));
  const top = probs.map((p) => p.reduce((b, x, c) => (x > p[b]! ? c : b), 0));
  const thresholds = LABELS.map(() => 0.99);
  // The seed documents must score clean (top label), whatever the thresholds.
  if (items.some((it, k) => it.set === 'seed' && top[k] !== 0)) return null;
  const topP = probs.map((p, k) => p[top[k]!]!);
  const raised = new Array<number>(items.length);
  const evaluate = (t: number[]) => {
    for (let k = 0; k < items.length; k++) raised[k] = top[k] !== 0 && topP[k]! >= t[top[k]!]! ? top[k]! : 0;
    return figures(items, raised);
  };
  const ok = (f: Figures) => f.officialRaised <= officialBudget + 1e-12 && f.seedsClean;
  let current = evaluate(thresholds);
  if (!ok(current)) return null;
  for (let round = 0; round < 3; round++) {
    for (let L = 1; L < LABELS.length; L++) {
      for (const t of THRESHOLD_GRID) {
        const trial = [...thresholds];
        trial[L] = t;
        const f = evaluate(trial);
        if (ok(f) && f.objective > current.objective + 1e-12) {
          thresholds[L] = t;
          current = f;
        }
      }
    }
  }
  return { thresholds, figures: current };
}

export function chooseDecision(items: readonly DevItem[], temperature: number, coefficient: number, officialBudget: number): DecisionChoice | null {
  let best: DecisionChoice['decision'] | null = null;
  let bestFigures: Figures | null = null;
  const perMargin: DecisionChoice['perMargin'] = [];
  for (const margin of MARGIN_GRID) {
    const r = chooseThresholds(items, { temperature, margin, coefficient }, officialBudget);
    if (!r) {
      perMargin.push({ margin, admissible: false });
      continue;
    }
    perMargin.push({ margin, ...r });
    if (!bestFigures || r.figures.objective > bestFigures.objective + 1e-12) {
      best = { temperature, margin, coefficient, thresholds: r.thresholds };
      bestFigures = r.figures;
    }
  }
  return best && bestFigures ? { decision: best, figures: bestFigures, perMargin } : null;
}

/** Long documents the length coefficient is checked on. */
export interface LongItem extends DevItem {
  kind: string;
  /** The bad dev text inserted into the document, scored on its own (absent: a clean document). */
  inserted?: DevItem;
}

export interface LengthTrial {
  coefficient: number;
  margin: number;
  thresholds: number[];
  objective: number;
  /** The bad texts inserted into long documents, raised on their own. */
  devBadRaised: number;
  longBadRaised: number;
  longCleanClean: number;
  perKind: Record<string, number>;
}

/** How far (share of documents) long documents with a bad text may fall below the bad texts alone: about half a standard error for a few hundred documents. */
export const LENGTH_TOLERANCE = 0.01;

/**
 * Length coefficient: for every coefficient of the grid, the margin and
 * thresholds of `chooseDecision`; admissible when long documents holding one
 * bad dev text are raised at least as often as those bad texts on their own,
 * less {@link LENGTH_TOLERANCE} (the correction must not let a long text hide
 * a bad paragraph); among those, the one that keeps most long clean documents
 * clean, then the best objective, then the smaller coefficient. When none is
 * admissible, the one whose long documents fall least below the bad texts
 * alone.
 */
export function chooseLength(items: readonly DevItem[], long: readonly LongItem[], temperature: number, officialBudget: number, grid: readonly number[]): { chosen: LengthTrial; choice: DecisionChoice; trials: LengthTrial[] } {
  const trials: Array<{ trial: LengthTrial; choice: DecisionChoice }> = [];
  for (const coefficient of grid) {
    const choice = chooseDecision(items, temperature, coefficient, officialBudget);
    if (!choice) continue;
    const d = choice.decision;
    const inserted = long.filter((l) => l.inserted).map((l) => l.inserted!);
    const devBadRaised = raisedAll(inserted, d).filter((r) => r !== 0).length / Math.max(inserted.length, 1);
    const longRaised = raisedAll(long, d);
    const rate = (f: (l: LongItem) => boolean, want: (k: number) => boolean) => {
      const ks = long.map((l, k) => (f(l) ? k : -1)).filter((k) => k >= 0);
      return ks.filter(want).length / Math.max(ks.length, 1);
    };
    const perKind: Record<string, number> = {};
    for (const kind of new Set(long.map((l) => l.kind))) {
      const bad = Boolean(long.find((l) => l.kind === kind)!.inserted);
      perKind[kind] = rate((l) => l.kind === kind, (k) => (bad ? longRaised[k] !== 0 : longRaised[k] === 0));
    }
    trials.push({
      choice,
      trial: {
        coefficient,
        margin: d.margin,
        thresholds: d.thresholds,
        objective: choice.figures.objective,
        devBadRaised,
        longBadRaised: rate((l) => Boolean(l.inserted), (k) => longRaised[k] !== 0),
        longCleanClean: rate((l) => !l.inserted, (k) => longRaised[k] === 0),
        perKind,
      },
    });
  }
  if (trials.length === 0) throw new Error('no decision keeps the official paragraphs and the seeds within bounds');
  const gap = (t: LengthTrial) => t.longBadRaised - t.devBadRaised;
  const admissible = trials.filter((t) => gap(t.trial) >= -LENGTH_TOLERANCE - 1e-12);
  const better = (a: LengthTrial, b: LengthTrial) =>
    a.longCleanClean > b.longCleanClean + 1e-9 || (Math.abs(a.longCleanClean - b.longCleanClean) <= 1e-9 && (a.objective > b.objective + 1e-9 || (Math.abs(a.objective - b.objective) <= 1e-9 && a.coefficient < b.coefficient)));
  const leastHiding = (a: LengthTrial, b: LengthTrial) => gap(a) > gap(b) + 1e-9 || (Math.abs(gap(a) - gap(b)) <= 1e-9 && a.coefficient < b.coefficient);
  const best = admissible.length ? admissible.reduce((b, t) => (better(t.trial, b.trial) ? t : b)) : trials.reduce((b, t) => (leastHiding(t.trial, b.trial) ? t : b));
  return { chosen: best.trial, choice: best.choice, trials: trials.map((t) => t.trial) };
}
