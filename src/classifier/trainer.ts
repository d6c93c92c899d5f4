/**
 * fastText-style supervised training: the mean of a text's embedding rows
 * (characters, hashed bigrams and trigrams; see `features.ts`) feeds a linear
 * softmax layer. Plain SGD with a linearly decaying learning rate, one example
 * at a time, in an order drawn from a seeded generator, so the same corpus and
 * options always give the same weights.
 */
import { seededRandom } from '../random.js';
import type { LinearModelWeights } from './onnx-graph.js';
import { positionRows, type FeatureShape } from './features.js';

export interface TrainOptions {
  vocabSize: number;
  buckets: number;
  dim: number;
  labels: number;
  epochs: number;
  learningRate: number;
  seed: number;
  /** Per-label weight of the loss (e.g. to make missing a bad post cost more). */
  labelWeights?: number[];
  /**
   * Rows (characters, n-gram buckets) found in fewer training examples than
   * this stay zero: they still count in the mean, but carry no evidence, so a
   * text the model has never seen the like of falls back to the prior.
   */
  minExamplesPerRow?: number;
  /**
   * Feature dropout: during training each row of an example is left out of
   * its mean with this probability (a fresh draw per step, from the seeded
   * generator), so no single character or n-gram of a template can carry a
   * label alone and the model spreads its evidence over every cue it has.
   */
  dropout?: number;
}

export interface TrainingExample {
  rows: Int32Array;
  label: number;
}


export function train(examples: readonly TrainingExample[], o: TrainOptions, onEpoch?: (epoch: number, loss: number) => void): LinearModelWeights {
  const rand = seededRandom(o.seed);
  const rows = o.vocabSize + o.buckets;
  const D = o.dim;
  const C = o.labels;
  const active = activeRows(examples, rows, o.minExamplesPerRow ?? 1);
  const embeddings = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < D; d++) {
      const x = (rand() * 2 - 1) / D;
      if (active[r]) embeddings[r * D + d] = x;
    }
  }
  const weight = new Float32Array(D * C);
  const bias = new Float32Array(C);
  const hidden = new Float64Array(D);
  const grad = new Float64Array(D);
  const probs = new Float64Array(C);
  const dropout = o.dropout ?? 0;
  const kept = new Uint8Array(examples.reduce((m, ex) => Math.max(m, ex.rows.length), 0));
  const order = examples.map((_, i) => i);
  const total = o.epochs * examples.length;
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (const idx of order) {
      const ex = examples[idx]!;
      const lr = o.learningRate * (1 - step++ / total);
      const all = ex.rows.length;
      let n = 0;
      for (let k = 0; k < all; k++) n += kept[k] = dropout > 0 && rand() < dropout ? 0 : 1;
      hidden.fill(0);
      for (let k = 0; k < all; k++) {
        if (!kept[k]) continue;
        const base = ex.rows[k]! * D;
        for (let d = 0; d < D; d++) hidden[d]! += embeddings[base + d]!;
      }
      if (n > 0) for (let d = 0; d < D; d++) hidden[d]! /= n;
      let maxLogit = -Infinity;
      for (let c = 0; c < C; c++) {
        let z = bias[c]!;
        for (let d = 0; d < D; d++) z += hidden[d]! * weight[d * C + c]!;
        probs[c] = z;
        if (z > maxLogit) maxLogit = z;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += probs[c] = Math.exp(probs[c]! - maxLogit);
      for (let c = 0; c < C; c++) probs[c]! /= sum;
      const w = o.labelWeights?.[ex.label] ?? 1;
      loss -= w * Math.log(Math.max(probs[ex.label]!, 1e-12));
      grad.fill(0);
      for (let c = 0; c < C; c++) {
        const g = w * (probs[c]! - (c === ex.label ? 1 : 0));
        bias[c]! -= lr * g;
        for (let d = 0; d < D; d++) {
          grad[d]! += g * weight[d * C + c]!;
          weight[d * C + c]! -= lr * g * hidden[d]!;
        }
      }
      if (n > 0) {
        const scale = lr / n;
        for (let k = 0; k < all; k++) {
          if (!kept[k] || !active[ex.rows[k]!]) continue;
          const base = ex.rows[k]! * D;
          for (let d = 0; d < D; d++) embeddings[base + d]! -= scale * grad[d]!;
        }
      }
    }
    onEpoch?.(epoch + 1, loss / examples.length);
  }
  return { vocabSize: o.vocabSize, buckets: o.buckets, dim: D, labels: C, embeddings, weight, bias };
}

function activeRows(examples: readonly TrainingExample[], rows: number, minExamples: number): Uint8Array {
  const count = new Uint32Array(rows);
  const lastSeen = new Int32Array(rows).fill(-1);
  examples.forEach((ex, i) => {
    for (const r of ex.rows) {
      if (lastSeen[r] === i) continue;
      lastSeen[r] = i;
      count[r]!++;
    }
  });
  return Uint8Array.from(count, (c) => (c >= minExamples ? 1 : 0));
}

/** Logits of one example under the given weights (training-side mirror of the ONNX graph). */
export function logits(w: LinearModelWeights, rows: Int32Array): Float64Array {
  const hidden = new Float64Array(w.dim);
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * w.dim;
    for (let d = 0; d < w.dim; d++) hidden[d]! += w.embeddings[base + d]!;
  }
  const n = Math.max(rows.length, 1);
  const out = new Float64Array(w.labels);
  for (let c = 0; c < w.labels; c++) {
    let z = w.bias[c]!;
    for (let d = 0; d < w.dim; d++) z += (hidden[d]! / n) * w.weight[d * w.labels + c]!;
    out[c] = z;
  }
  return out;
}

export function softmax(z: ArrayLike<number>, temperature = 1): number[] {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]! / temperature);
  const e = Array.from({ length: z.length }, (_, i) => Math.exp(z[i]! / temperature - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/**
 * Training-side mirror of the served graph: the logits of the text's worst
 * window of `window` token positions — the window whose probability of not
 * being clean is highest (first one on ties), among the starts of
 * {@link windowStarts}. A text no longer than a window is one window.
 */
export function worstWindowLogits(w: LinearModelWeights, ids: ArrayLike<number>, window: number): Float64Array {
  const shape: FeatureShape = { vocabSize: w.vocabSize, buckets: w.buckets };
  const positions = positionRows(ids, shape);
  const n = positions.length;
  const D = w.dim;
  const C = w.labels;
  // Prefix sums of the per-position embedding sums and row counts.
  const prefix = new Float64Array((n + 1) * D);
  const counts = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    for (let d = 0; d < D; d++) prefix[(t + 1) * D + d] = prefix[t * D + d]!;
    for (const r of positions[t]!) for (let d = 0; d < D; d++) prefix[(t + 1) * D + d]! += w.embeddings[r * D + d]!;
    counts[t + 1] = counts[t]! + positions[t]!.length;
  }
  const last = Math.max(n - window, 0);
  let best: Float64Array | null = null;
  let bestRisk = -Infinity;
  const z = new Float64Array(C);
  for (let s = 0; s <= last; s++) {
    const e = Math.min(n, s + window);
    const cnt = Math.max(counts[e]! - counts[s]!, 1);
    for (let c = 0; c < C; c++) {
      let v = w.bias[c]!;
      for (let d = 0; d < D; d++) v += ((prefix[e * D + d]! - prefix[s * D + d]!) / cnt) * w.weight[d * C + c]!;
      z[c] = v;
    }
    const r = risk(z);
    if (best === null || r > bestRisk) {
      bestRisk = r;
      best = Float64Array.from(z);
    }
  }
  return best!;
}

/** log Σ exp(bad logits) − clean logit: monotone in 1 − p(clean). */
export function risk(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let c = 1; c < z.length; c++) m = Math.max(m, z[c]!);
  let s = 0;
  for (let c = 1; c < z.length; c++) s += Math.exp(z[c]! - m);
  return m + Math.log(s) - z[0]!;
}
