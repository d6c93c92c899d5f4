/**
 * Length-aware decision. A text counts as its worst window (of every chunk),
 * and the worst of N window scores grows with N even when every window is
 * ordinary: a 5,000-character clean report is scored over thousands of
 * windows, a clean post over a hundred, so the long report looks worse only
 * because it is long (the maximum of N draws grows about like log N for
 * light-tailed scores). The served decision therefore adds
 *
 *     coefficient · ln(windows scored)
 *
 * to the clean logit of the worst window, on top of the model's clean margin.
 * `windows scored` is the number of windows the graph compares, summed over
 * the chunks of the text (a text of at most one window counts 1, so a short
 * post gets no correction at all). The coefficient and the clean margin are
 * chosen together on dev and on long documents built from dev posts only
 * (see `length-validation.ts` and scripts/train.ts) and stored in the model
 * card (`lastgate.json`, `lengthCorrection`), so the model directory, whose
 * name is the version recorded in every machine review, identifies the whole
 * decision.
 */
import { countTokens } from './tokenizer.js';

export interface LengthCorrection {
  /** Added to the clean logit per unit of ln(windows scored). */
  coefficient: number;
  /** What the logarithm is taken of (documentation for readers of the card). */
  of: 'windows scored';
}

/** Windows of `window` token positions the graph compares in one chunk of `tokenCount` tokens. */
export function windowsInChunk(tokenCount: number, window: number): number {
  return Math.max(tokenCount - window, 0) + 1;
}

/** Windows scored over the chunks of a text (token counts as the served tokenizer makes them). */
export function windowsScored(chunks: readonly string[], window: number): number {
  let n = 0;
  for (const c of chunks) n += windowsInChunk(countTokens(c), window);
  return n;
}

/** Logits added to the clean logit of a text whose chunks hold `windows` windows in all. */
export function lengthBoost(coefficient: number, windows: number): number {
  return coefficient * Math.log(Math.max(windows, 1));
}

/**
 * Label probabilities after adding `boost` to the clean logit (a softmax with
 * one logit shifted; the other labels keep their ratios).
 */
export function boostClean(scores: Record<string, number>, boost: number): Record<string, number> {
  if (boost === 0) return scores;
  const raised = (scores.clean ?? 0) * Math.exp(boost);
  let total = raised;
  for (const [label, p] of Object.entries(scores)) if (label !== 'clean') total += p;
  const out: Record<string, number> = {};
  for (const [label, p] of Object.entries(scores)) out[label] = (label === 'clean' ? raised : p) / total;
  return out;
}
