/**
 * Serving of the window models (format `window-logits`, models 2.x): our
 * tokenizer (char-tokenizer.ts) and onnxruntime-node on the exported graph,
 * which returns the logits of every window of `window` token positions
 * starting every `stride` positions (window-features.ts). The decision is
 * taken here, in one place for every caller:
 *
 * 1. every window's logits are divided by the card's temperature, and the
 *    card's clean margin is added to the clean logit;
 * 2. the text counts as its worst window (the one least likely clean);
 * 3. the length correction of the card adds `coefficient · ln(windows)` to
 *    that window's clean logit (length-correction.ts), so a long clean text is
 *    not flagged only because it has many windows;
 * 4. evidence: the windows whose own top label is not clean, strongest first,
 *    at most {@link MAX_EVIDENCE}, no two overlapping, as offsets into the
 *    text (`text.slice(start, end)` is the window).
 *
 * Long texts are cut into segments of at most `maxPositions` positions that
 * overlap by the windows' reach, so every window is scored exactly as in one
 * pass over the whole text (tests check it).
 */
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import type { ClassifierResult, TextClassifier } from '../review/types.js';
import { CharTokenizer } from './char-tokenizer.js';
import { ngramRows, positionsFor, windowsOf } from './window-features.js';
import type { WindowModelCard } from './model-files.js';

export const MAX_EVIDENCE = 3;

/** One window that drove a text's score (`ClassifierResult.evidence`). */
export type ClassifierEvidence = NonNullable<ClassifierResult['evidence']>[number];

export interface WindowModelOptions {
  /** Positions per ONNX run over all texts of a batch (default 32,768). */
  batchPositions?: number;
  /** Longest segment in positions (default 4,096). */
  maxPositions?: number;
  /** onnxruntime intra-op threads (default 1: callers parallelise with worker threads). */
  threads?: number;
}

interface Segment {
  text: number;
  from: number;
  to: number;
  /** Local windows to skip at the start (they lie in the overlap). */
  skip: number;
  /** Global index of the first window kept. */
  first: number;
  keep: number;
}

/** The segments a text of `n` tokens is scored in (see the header). */
export function planSegments(text: number, n: number, window: number, stride: number, radius: number, maxPositions: number): Segment[] {
  const windows = windowsOf(n, window, stride);
  if (positionsFor(windows, window, stride) <= maxPositions) return [{ text, from: 0, to: n, skip: 0, first: 0, keep: windows }];
  const reach = Math.ceil(radius / stride) * stride;
  const perSegment = Math.floor((maxPositions - window - 2 * reach) / stride) + 1;
  if (perSegment < 1) throw new Error('maxPositions is too small for the window');
  const out: Segment[] = [];
  for (let wa = 0; wa < windows; wa += perSegment) {
    const wb = Math.min(windows, wa + perSegment);
    const from = Math.max(0, wa * stride - reach);
    const to = Math.min(n, (wb - 1) * stride + window + reach);
    out.push({ text, from, to, skip: (wa * stride - from) / stride, first: wa, keep: wb - wa });
  }
  return out;
}

export interface WindowScores {
  /** Token count of the text. */
  tokens: number;
  /** Raw logits of every window, [windows × labels]. */
  logits: Float32Array;
}

export async function loadWindowModel(dir: string, version: string, card: WindowModelCard, opts: WindowModelOptions = {}): Promise<TextClassifier & { windowScores(texts: string[]): Promise<WindowScores[]> }> {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  const tokenizer = CharTokenizer.fromFile(`${base}tokenizer.json`);
  const session = await ort.InferenceSession.create(readFileSync(`${base}onnx/model.onnx`), {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const { window: K, stride: S, radius, vocabSize: V, buckets: B, labels } = card;
  const C = labels.length;
  const maxPositions = opts.maxPositions ?? 4096;
  const batchPositions = Math.max(opts.batchPositions ?? 32_768, maxPositions);
  const temperature = card.temperature;
  const margin = card.cleanMargin;
  const coefficient = card.lengthCorrection?.coefficient ?? 0;

  async function windowScores(texts: string[]): Promise<WindowScores[]> {
    const encodings = texts.map((t) => tokenizer.encode(t ?? ''));
    return scoreEncodings(encodings.map((e) => e.ids));
  }

  async function scoreEncodings(all: Int32Array[]): Promise<WindowScores[]> {
    const rows = all.map((ids) => ngramRows(ids, V, B));
    const out: WindowScores[] = all.map((ids) => ({ tokens: ids.length, logits: new Float32Array(windowsOf(ids.length, K, S) * C) }));
    const segments = all.flatMap((ids, i) => planSegments(i, ids.length, K, S, radius, maxPositions));
    segments.sort((a, b) => a.to - a.from - (b.to - b.from));
    let i = 0;
    while (i < segments.length) {
      // Segments of similar length share a run; T is the longest one's positions.
      let j = i;
      let T = 0;
      while (j < segments.length) {
        const s = segments[j]!;
        const t = positionsFor(windowsOf(s.to - s.from, K, S), K, S);
        if (j > i && Math.max(T, t) * (j - i + 1) > batchPositions) break;
        T = Math.max(T, t);
        j++;
      }
      const batch = segments.slice(i, j);
      const rowData = new Int32Array(batch.length * T * 3);
      const maskData = new Float32Array(batch.length * T);
      batch.forEach((s, b) => {
        rowData.set(rows[s.text]!.subarray(3 * s.from, 3 * s.to), b * T * 3);
        maskData.fill(1, b * T, b * T + (s.to - s.from));
      });
      const result = await session.run({
        rows: new ort.Tensor('int32', rowData, [batch.length, T, 3]),
        mask: new ort.Tensor('float32', maskData, [batch.length, T]),
      });
      const z = result.window_logits!.data as Float32Array;
      const W = (T - K) / S + 1;
      batch.forEach((s, b) => {
        const src = (b * W + s.skip) * C;
        out[s.text]!.logits.set(z.subarray(src, src + s.keep * C), s.first * C);
      });
      i = j;
    }
    return out;
  }

  function decide(starts: Int32Array, ends: Int32Array, w: WindowScores): ClassifierResult {
    const z = w.logits;
    const nw = z.length / C;
    // Scaled logits with the clean margin, per window; risk = log Σ exp(bad) − clean.
    const scaled = new Float64Array(z.length);
    const risks = new Float64Array(nw);
    let worst = 0;
    for (let k = 0; k < nw; k++) {
      let maxBad = -Infinity;
      for (let c = 0; c < C; c++) {
        const v = z[k * C + c]! / temperature + (c === 0 ? margin : 0);
        scaled[k * C + c] = v;
        if (c > 0 && v > maxBad) maxBad = v;
      }
      let sum = 0;
      for (let c = 1; c < C; c++) sum += Math.exp(scaled[k * C + c]! - maxBad);
      risks[k] = maxBad + Math.log(sum) - scaled[k * C]!;
      if (risks[k]! > risks[worst]!) worst = k;
    }
    const decision = Array.from(scaled.subarray(worst * C, worst * C + C));
    decision[0]! += coefficient * Math.log(Math.max(nw, 1));
    const probs = softmax(decision);
    const scores: Record<string, number> = {};
    let label = 0;
    probs.forEach((p, c) => {
      scores[labels[c]!] = p;
      if (p > probs[label]!) label = c;
    });
    return { label: labels[label]!, score: probs[label]!, scores, evidence: evidence(starts, ends, scaled, risks, w.tokens) };
  }

  function evidence(starts: Int32Array, ends: Int32Array, scaled: Float64Array, risks: Float64Array, n: number): ClassifierEvidence[] {
    if (n === 0) return [];
    const nw = risks.length;
    const candidates: Array<{ k: number; label: number; p: number }> = [];
    for (let k = 0; k < nw; k++) {
      if (risks[k]! <= 0) continue; // the clean logit is above the log-sum of the others, so clean is the top label
      const o = k * C;
      let top = 0;
      for (let c = 1; c < C; c++) if (scaled[o + c]! > scaled[o + top]!) top = c;
      if (top === 0) continue;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(scaled[o + c]! - scaled[o + top]!);
      candidates.push({ k, label: top, p: 1 / sum });
    }
    candidates.sort((a, b) => b.p - a.p || a.k - b.k);
    const chosen: Array<{ from: number; to: number; label: number; p: number }> = [];
    for (const c of candidates) {
      const from = c.k * S;
      const to = Math.min(n, from + K);
      if (chosen.some((x) => from < x.to && x.from < to)) continue;
      chosen.push({ from, to, label: c.label, p: c.p });
      if (chosen.length === MAX_EVIDENCE) break;
    }
    return chosen.map((c) => ({ start: starts[c.from]!, end: ends[c.to - 1]!, label: labels[c.label]!, score: c.p }));
  }

  async function classify(texts: string[]): Promise<ClassifierResult[]> {
    const encodings = texts.map((t) => tokenizer.encode(t ?? ''));
    const scores = await scoreEncodings(encodings.map((e) => e.ids));
    return scores.map((w, i) => decide(encodings[i]!.starts, encodings[i]!.ends, w));
  }

  return { version, classify, windowScores };
}

function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
