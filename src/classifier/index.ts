/**
 * The local text classifier of machine review, strictly offline: models load
 * only from models/<name>-<version>/ and nothing is ever fetched. Safe to load
 * in worker threads and BullMQ workers: each thread or process loads its own
 * copy once and reuses it.
 *
 * Two model formats are served:
 * - window models (2.x, `format: "window-logits"` in the card): our tokenizer
 *   and onnxruntime-node on a graph that scores every window; the decision,
 *   the length correction and the evidence windows are taken in
 *   window-model.ts;
 * - the 1.x character n-gram models (1.4.0 is kept for side-by-side figures),
 *   run by a transformers.js text-classification pipeline, below.
 *
 * 1.x: a text counts as its worst window (of its worst chunk); the decision then
 * adds the model card's length correction to that window's clean logit
 * (`coefficient · ln(windows scored)`, see length-correction.ts), so a long
 * clean report is not flagged only because it holds thousands of windows.
 * Every caller (machine review, `lastgate scan`, `npm run eval`, the
 * benchmark) gets its scores here, so all apply the same decision.
 */
import { readFileSync } from 'node:fs';
import { pipeline } from '@xenova/transformers';
import type { ClassifierResult, TextClassifier } from '../review/types.js';
import { chunkText, CHUNK_CHARS, CHUNK_OVERLAP } from './chunking.js';
import { isWindowCard, LABELS, MODEL_ID, MODELS_DIR, type AnyModelCard, type ModelCard } from './model-files.js';
import { loadWindowModel } from './window-model.js';
import { boostClean, lengthBoost, windowsScored } from './length-correction.js';
import { useOfflineModels } from './offline-env.js';

export { MODEL_ID, BASELINE_MODEL_ID, LABELS } from './model-files.js';

export interface ClassifierOptions {
  /** Directory holding `<model>/` (default: the repository's models/). */
  modelsDir?: string;
  /** Model directory name (default: the shipped `<name>-<version>`). */
  model?: string;
  /** Windows scored per ONNX run (default 32). */
  batchSize?: number;
  /** 1.x: window length for long texts, in characters (default {@link CHUNK_CHARS}). */
  chunkChars?: number;
  /** 2.x: onnxruntime intra-op threads (default 1). */
  threads?: number;
}

type Scored = Array<{ label: string; score: number }>;
type Pipe = (texts: string[], opts: { topk: number }) => Promise<Scored[]>;

const loaded = new Map<string, Promise<TextClassifier>>();

/**
 * Loads (once per thread and model) and returns the classifier. Rejects if the
 * model directory is missing; never downloads anything.
 */
export function loadClassifier(opts: ClassifierOptions = {}): Promise<TextClassifier> {
  const modelsDir = opts.modelsDir ?? MODELS_DIR;
  const model = opts.model ?? MODEL_ID;
  const key = JSON.stringify([modelsDir, model, opts.batchSize, opts.chunkChars, opts.threads]);
  let p = loaded.get(key);
  if (!p) {
    p = open(modelsDir, model, opts);
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

async function open(modelsDir: string, model: string, opts: ClassifierOptions): Promise<TextClassifier> {
  // Whatever the format, transformers.js (if anything uses it) looks only in models/.
  useOfflineModels(modelsDir);
  const dir = `${modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`}${model}/`;
  let card: Partial<AnyModelCard> | null = null;
  try {
    card = JSON.parse(readFileSync(`${dir}lastgate.json`, 'utf8')) as Partial<AnyModelCard>;
  } catch {
    card = null;
  }
  if (card && isWindowCard(card)) return loadWindowModel(dir, model, card, { threads: opts.threads });
  return create(modelsDir, model, opts.batchSize ?? 32, opts.chunkChars ?? CHUNK_CHARS);
}

async function create(modelsDir: string, model: string, batchSize: number, chunkChars: number): Promise<TextClassifier> {
  useOfflineModels(modelsDir);
  const pipe = (await pipeline('text-classification', model, { local_files_only: true, quantized: false })) as unknown as Pipe;
  const overlap = Math.min(CHUNK_OVERLAP, Math.floor(chunkChars / 4));
  const { coefficient, window } = decisionOf(modelsDir, model);

  async function classify(texts: string[]): Promise<ClassifierResult[]> {
    const windows: Array<{ post: number; text: string }> = [];
    // Windows of `window` token positions the graph compares, per text (length correction).
    const scored = new Array<number>(texts.length).fill(0);
    texts.forEach((t, post) => {
      const chunks = chunkText(t ?? '', chunkChars, overlap);
      for (const text of chunks) windows.push({ post, text });
      if (coefficient !== 0) scored[post] = windowsScored(chunks, window);
    });
    // Similar lengths share a batch, so little time goes into padding.
    const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.text.length - windows[b]!.text.length);
    const scores = new Array<Record<string, number>>(windows.length);
    for (let i = 0; i < order.length; i += batchSize) {
      const batch = order.slice(i, i + batchSize);
      const out = await pipe(batch.map((w) => windows[w]!.text), { topk: LABELS.length });
      batch.forEach((w, j) => (scores[w] = Object.fromEntries(out[j]!.map((s) => [s.label, s.score]))));
    }
    const worst = new Array<Record<string, number> | undefined>(texts.length);
    windows.forEach((w, i) => {
      const s = scores[i]!;
      const current = worst[w.post];
      if (!current || risk(s) > risk(current)) worst[w.post] = s;
    });
    return worst.map((s, post) => result(coefficient === 0 ? s! : boostClean(s!, lengthBoost(coefficient, scored[post]!))));
  }

  return { version: model, classify };
}

/**
 * The length correction of the model's card (`lastgate.json`, see
 * length-correction.ts): the served decision adds `coefficient · ln(windows
 * scored)` to the clean logit of a text's worst window. A model directory
 * without a card or without `lengthCorrection` is served without one.
 */
function decisionOf(modelsDir: string, model: string): { coefficient: number; window: number } {
  let card: Partial<ModelCard>;
  try {
    card = JSON.parse(readFileSync(`${modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`}${model}/lastgate.json`, 'utf8')) as Partial<ModelCard>;
  } catch {
    return { coefficient: 0, window: 1 };
  }
  const coefficient = card.lengthCorrection?.coefficient ?? 0;
  if (!Number.isFinite(coefficient) || coefficient < 0) throw new Error(`${model}: invalid lengthCorrection.coefficient`);
  if (coefficient !== 0 && !(Number.isInteger(card.window) && card.window! > 0)) throw new Error(`${model}: lengthCorrection needs the card's window`);
  return { coefficient, window: card.window ?? 1 };
}

/** Probability that a window is not clean. */
function risk(scores: Record<string, number>): number {
  return 1 - (scores.clean ?? 0);
}

function result(scores: Record<string, number>): ClassifierResult {
  let label = 'clean';
  for (const l of LABELS) if ((scores[l] ?? 0) > (scores[label] ?? 0)) label = l;
  return { label, score: scores[label] ?? 0, scores };
}
