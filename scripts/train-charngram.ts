/**
 * The trainer of the 1.x character n-gram models (1.4.0 is still in models/
 * for side-by-side figures; `npm run train` now builds the 2.x window model,
 * see scripts/train.ts). `--real` adds the training part of the real texts of
 * ../shared/data/ (src/classifier/training-data.ts: COLD → vulgar / clean,
 * official paragraphs → clean; every window of a real text carries its
 * label): candidate (b) of issue 13 in EVALUATION.md.
 *
 *     node bin/run-ts.mjs scripts/train-charngram.ts [--real] [--version X.Y.Z] [--out DIR]
 *
 * Without `--real`, it trains the classifier on data/corpus/train.jsonl, chooses
 * temperature, clean margin and default thresholds on data/corpus/dev.jsonl
 * (held-out templates and slot values of its own), and writes
 * models/<name>-<version>/ — onnx/model.onnx, config.json, tokenizer.json,
 * tokenizer_config.json and lastgate.json (training metadata, dev figures,
 * suggested thresholds). The test split is never read.
 *
 * The model scores windows of `--window` token positions and a post counts as
 * its worst window (see src/classifier/onnx-graph.ts). Training examples are
 * windows cut from the training posts: a window that holds the label-bearing
 * sentence of a bad post (the corpus records its offsets) carries the post's
 * label, a window that does not touch it is clean, partial overlaps are left out.
 *
 * Hyperparameters, temperature, clean margin, length correction and thresholds
 * are chosen on dev with a model trained on train only, and that model is the
 * one shipped: the clean margin sits where dev clean precision and macro-F1
 * meet their targets, so it is only valid for the exact weights it was
 * measured on. The length correction (src/classifier/length-correction.ts:
 * the served decision adds coefficient · ln(windows scored) to the clean
 * logit) is chosen with the margin, on dev and on long documents built from
 * dev posts only (src/classifier/length-validation.ts); both go into the model
 * card, which the served classifier reads. (`--refit`
 * trains the weights again on train + dev and keeps the dev choices; the
 * shipped 1.3.0 does not.)
 *
 * The shipped weights are the average of `--seeds` models trained with seeds
 * seed, seed + 1, … (exact, see `trainAveraged`), with feature dropout.
 *
 * Options: --epochs N --dim N --buckets N --lr X --seed N --seeds N
 *          --min-examples N --bad-weight X --dropout X --window N --stride N
 *          --background X --background-filter chars|words --seed-slack X
 *          --refit --no-export --out DIR
 *          (diagnostics: --dump-dev FILE, --explain-seeds)
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AutoTokenizer, pipeline } from '@xenova/transformers';
import { readCorpus, corpusDigest, type CorpusExample } from '../src/classifier/corpus.js';
import { buildTokenizerFiles, buildVocabulary, tokens } from '../src/classifier/tokenizer.js';
import { positionRows, windowRows } from '../src/classifier/features.js';
import { train, worstWindowLogits, risk, softmax, logits as logitsOf, type TrainingExample } from '../src/classifier/trainer.js';
import { seededRandom } from '../src/random.js';
import { buildOnnxModel, type LinearModelWeights } from '../src/classifier/onnx-graph.js';
import { LABELS, MODELS_DIR, type ModelCard } from '../src/classifier/model-files.js';
import { readTuningTexts } from '../src/classifier/training-data.js';
import { useOfflineModels } from '../src/classifier/offline-env.js';
import { chunkText, CHUNK_CHARS, CHUNK_OVERLAP, MAX_TOKENS } from '../src/classifier/chunking.js';
import { calibration, confusionMatrix, macroF1, negativeLogLikelihood, perLabel, thresholdCurve, wilsonLower, type Prediction } from '../src/classifier/metrics.js';
import { suggestThresholds } from '../src/classifier/thresholds.js';
import { lengthBoost, windowsInChunk, type LengthCorrection } from '../src/classifier/length-correction.js';
import { buildLongDocuments, LONG_MAX_CHARS, LONG_MIN_CHARS, LONG_PER_KIND, LONG_SEED } from '../src/classifier/length-validation.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    dim: { type: 'string', default: '16' },
    buckets: { type: 'string', default: String(2 ** 19) },
    lr: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '7' },
    'min-examples': { type: 'string', default: '3' },
    'bad-weight': { type: 'string', default: '3' },
    window: { type: 'string', default: '20' },
    stride: { type: 'string', default: '8' },
    out: { type: 'string', default: MODELS_DIR },
    background: { type: 'string', default: '0.5' },
    refit: { type: 'boolean', default: false },
    'no-export': { type: 'boolean', default: false },
    'dump-dev': { type: 'string' },
    'explain-seeds': { type: 'boolean', default: false },
    dropout: { type: 'string', default: '0.5' },
    seeds: { type: 'string', default: '3' },
    'seed-slack': { type: 'string', default: '0.5' },
    'background-filter': { type: 'string', default: 'chars' },
    real: { type: 'boolean', default: false },
    version: { type: 'string', default: '1.4.0' },
  },
});
const opts = {
  epochs: Number(args.epochs),
  dim: Number(args.dim),
  buckets: Number(args.buckets),
  learningRate: Number(args.lr),
  seed: Number(args.seed),
  minExamplesPerRow: Number(args['min-examples']),
  /** Loss weight of the non-clean labels relative to clean. */
  badWeight: Number(args['bad-weight']),
  /** Window length in token positions (a graph constant). */
  window: Number(args.window),
  /** Distance between the starts of the training windows cut from a post. */
  stride: Number(args.stride),
  /** Clean "background" windows of common words (see below), as a fraction of the training windows. */
  background: Number(args.background),
  /** Feature dropout while training (see trainer.ts). */
  dropout: Number(args.dropout),
  /** Models trained with seeds seed, seed + 1, …, averaged into the shipped one. */
  seeds: Number(args.seeds),
  /** How far (in logits) the seed documents' clean logit must stay above every other label. */
  seedSlack: Number(args['seed-slack']),
  /** `chars`: background words only of characters the clean posts use at least as often as the label-bearing sentences; `words`: the word-level filter alone. */
  backgroundFilter: args['background-filter'] as 'chars' | 'words',
};
const MODEL_NAME = 'lastgate-zh-charngram';
const MODEL_VERSION = args.version!;
const MODEL_ID = `${MODEL_NAME}-${MODEL_VERSION}`;
const modelsDir = args.out!.endsWith('/') ? args.out! : `${args.out}/`;
const dir = `${modelsDir}${MODEL_ID}/`;
const seedsDir = fileURLToPath(new URL('../../shared/seeds/', import.meta.url));
const t0 = performance.now();
const K = opts.window;
const refit = Boolean(args.refit);

const fit = readCorpus('train');
const dev = readCorpus('dev');
/** Real training texts (--real): labelled for every window they hold. */
const realIds = new Set<string>();
if (args.real) {
  for (const t of readTuningTexts(['train'])) {
    if (t.set === 'synthetic') continue;
    realIds.add(t.id);
    fit.push({ id: t.id, split: 'train', label: LABELS[t.label]!, source: `real.${t.set}`, text: t.text });
  }
}
const labelIndex = new Map<string, number>(LABELS.map((l, i) => [l, i]));
console.log(`corpus: ${fit.length} training posts, ${dev.length} dev posts`);

const vocab = buildVocabulary((refit ? [...fit, ...dev] : fit).map((e) => e.text));
const tokenizerFiles = buildTokenizerFiles(vocab, MAX_TOKENS);
mkdirSync(`${dir}onnx`, { recursive: true });
for (const [name, json] of Object.entries(tokenizerFiles)) writeFileSync(`${dir}${name}`, JSON.stringify(json));

// Tokenise with transformers.js itself, so training sees exactly the ids serving will.
useOfflineModels(modelsDir);
const tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID, { local_files_only: true });
const shape = { vocabSize: vocab.length, buckets: opts.buckets };
const ids = (text: string): number[] => Array.from(tokenizer.encode(text, null, { add_special_tokens: false }) as number[]);

/** Token span [from, to) of the characters [start, end) of `text`. */
function tokenSpan(text: string, [start, end]: [number, number]): [number, number] {
  return [tokens(text.slice(0, start)).length, tokens(text.slice(0, end)).length];
}

/** Training windows of one post (see the header). */
function windows(e: CorpusExample): TrainingExample[] {
  const label = labelIndex.get(e.label);
  if (label === undefined) throw new Error(`unknown label ${e.label}`);
  const x = ids(e.text);
  const pos = positionRows(x, shape);
  const n = x.length;
  if (n <= K) return [{ rows: windowRows(pos, 0, K), label }];
  const spans = label === 0 ? [] : realIds.has(e.id) ? [[0, n] as [number, number]] : (e.evidence ?? []).map((s) => tokenSpan(e.text, s));
  if (label !== 0 && spans.length === 0) throw new Error(`${e.id}: bad post without evidence offsets`);
  const starts = new Set<number>();
  for (let s = 0; s <= n - K; s += opts.stride) starts.add(s);
  starts.add(n - K);
  for (const [a, b] of spans) {
    // Windows around the label-bearing sentence: aligned at its start, centred, aligned at its end.
    for (const s of [a, Math.round((a + b - K) / 2), b - K]) starts.add(Math.min(Math.max(s, 0), n - K));
  }
  const out: TrainingExample[] = [];
  for (const s of [...starts].sort((p, q) => p - q)) {
    let windowLabel = 0;
    let ambiguous = false;
    for (const [a, b] of spans) {
      const overlap = Math.max(0, Math.min(b, s + K) - Math.max(a, s));
      if (overlap === 0) continue;
      if (overlap >= 0.8 * Math.min(b - a, K)) windowLabel = label;
      else ambiguous = true;
    }
    if (windowLabel === 0 && ambiguous) continue;
    out.push({ rows: windowRows(pos, s, K), label: windowLabel });
  }
  return out;
}

const fitExamples = fit.flatMap(windows);

/**
 * Background windows: strings of common Chinese words (jieba's dictionary,
 * shipped with @node-rs/jieba), labelled clean. They teach the model that
 * ordinary characters and words (中国, 国家, 不, 发布…) are no evidence of
 * anything, so that a template it has never seen is judged by its
 * label-bearing part and not by an accident of its wording. Words found in
 * the label-bearing sentences of the training posts more often than in its
 * clean posts are left out, so the background never contradicts them.
 */
function backgroundWindows(count: number): TrainingExample[] {
  if (count <= 0) return [];
  const dictFile = fileURLToPath(new URL('../node_modules/@node-rs/jieba/dict.txt', import.meta.url));
  const badText = fit.flatMap((e) => (e.evidence ?? []).map(([a, b]) => e.text.slice(a, b))).join('\n');
  const cleanText = fit.filter((e) => e.label === 'clean').map((e) => e.text).join('\n');
  const occurrences = (hay: string, needle: string) => {
    let n = 0;
    for (let i = hay.indexOf(needle); i >= 0 && n < 1000; i = hay.indexOf(needle, i + 1)) n++;
    return n;
  };
  const words: string[] = [];
  const weights: number[] = [];
  for (const line of readFileSync(dictFile, 'utf8').split('\n')) {
    const [word, freq] = line.split(' ');
    const f = Number(freq);
    if (!word || !(f >= 200) || !/^[\u4e00-\u9fff]{1,4}$/u.test(word)) continue;
    words.push(word);
    weights.push(Math.sqrt(f));
  }
  // Characters per million in the label-bearing sentences and in the clean posts.
  const charRate = (text: string) => {
    const m = new Map<string, number>();
    for (const ch of text) m.set(ch, (m.get(ch) ?? 0) + 1e6 / text.length);
    return m;
  };
  const badRate = charRate(badText);
  const cleanRate = charRate(cleanText);
  // A character the clean posts never use, or use less often than the
  // label-bearing sentences do, may be part of a label-bearing term training
  // does not know (an insult, a drug's street name): a word holding one is
  // never offered as background, so the background cannot teach that such a
  // term is clean.
  const familiar = (w: string) => [...w].every((ch) => (cleanRate.get(ch) ?? 0) > 0 && (badRate.get(ch) ?? 0) <= (cleanRate.get(ch) ?? 0));
  const keep = words.map((w) => {
    if (opts.backgroundFilter === 'chars' && !familiar(w)) return false;
    const bad = occurrences(badText, w);
    return bad === 0 || occurrences(cleanText, w) > bad;
  });
  const pool = words.filter((_, i) => keep[i]);
  const cum: number[] = [];
  let total = 0;
  weights.forEach((w, i) => {
    if (keep[i]) cum.push((total += w));
  });
  const rand = seededRandom(opts.seed + 1);
  const out: TrainingExample[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    const target = 8 + Math.floor(rand() * (K + 8));
    while (text.length < target) {
      const r = rand() * total;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      text += pool[lo]!;
    }
    out.push({ rows: windowRows(positionRows(ids(text), shape), 0, K), label: 0 });
  }
  console.log(`background: ${pool.length} of ${words.length} common words kept, ${count} windows`);
  return out;
}
for (const ex of backgroundWindows(Math.round(fitExamples.length * opts.background))) fitExamples.push(ex);
// A post with no usable text (empty, emoji only) is clean: a few empty clean
// examples teach the bias what "no evidence" means.
const emptyCount = Math.round(fitExamples.length * 0.01);
for (let i = 0; i < emptyCount; i++) fitExamples.push({ rows: new Int32Array(0), label: 0 });
const windowCounts = LABELS.map((_, i) => fitExamples.filter((e) => e.label === i).length);
console.log(`vocabulary: ${vocab.length} tokens; ${fitExamples.length} training windows ${JSON.stringify(windowCounts)}; tokenised in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const trainOptions = { ...shape, dim: opts.dim, labels: LABELS.length, epochs: opts.epochs, learningRate: opts.learningRate, seed: opts.seed, minExamplesPerRow: opts.minExamplesPerRow, dropout: opts.dropout, labelWeights: LABELS.map((l) => (l === 'clean' ? 1 : opts.badWeight)) };

/**
 * Trains `opts.seeds` models (seeds seed, seed + 1, …) and averages them. The
 * served graph stores every row already projected onto the labels and a
 * window's logits are linear in those rows, so the average of the projected
 * tables and biases is exactly the average of the members' logits: an
 * ensemble at the cost of one model.
 */
function trainAveraged(examples: TrainingExample[], tag: string): LinearModelWeights {
  const members: LinearModelWeights[] = [];
  for (let k = 0; k < opts.seeds; k++) {
    members.push(train(examples, { ...trainOptions, seed: opts.seed + k }, (epoch, loss) => console.log(`${tag}seed ${opts.seed + k} epoch ${epoch}: loss ${loss.toFixed(4)}`)));
  }
  if (members.length === 1) return members[0]!;
  const C = LABELS.length;
  const rows = shape.vocabSize + shape.buckets;
  const projected = new Float32Array(rows * C);
  const bias = new Float32Array(C);
  const acc = new Float64Array(rows * C);
  for (const m of members) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < C; c++) {
        let z = 0;
        for (let d = 0; d < m.dim; d++) z += m.embeddings[r * m.dim + d]! * m.weight[d * C + c]!;
        acc[r * C + c]! += z;
      }
    }
    for (let c = 0; c < C; c++) bias[c]! += m.bias[c]! / members.length;
  }
  for (let i = 0; i < acc.length; i++) projected[i] = acc[i]! / members.length;
  const identity = new Float32Array(C * C);
  for (let c = 0; c < C; c++) identity[c * C + c] = 1;
  return { ...shape, dim: C, labels: C, embeddings: projected, weight: identity, bias };
}
let weights = trainAveraged(fitExamples, '');

/** Post-level logits exactly as served: windows of CHUNK_CHARS characters, worst window of the worst chunk. */
function postLogits(text: string): Float64Array {
  let best: Float64Array | null = null;
  for (const chunk of chunkText(text, CHUNK_CHARS, CHUNK_OVERLAP)) {
    const z = worstWindowLogits(weights, ids(chunk), K);
    if (best === null || risk(z) > risk(best)) best = z;
  }
  return best!;
}

const devLogits = dev.map((e) => ({ gold: labelIndex.get(e.label)!, z: postLogits(e.text) }));
const seedFiles = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort();

// Temperature scaling on dev (grid search on the negative log-likelihood).
let temperature = 1;
let bestNll = Infinity;
for (let t = 0.5; t <= 4.0001; t += 0.05) {
  const nll = negativeLogLikelihood(devLogits.map((v) => ({ gold: v.gold, probs: softmax(v.z, t) })));
  if (nll < bestNll) [bestNll, temperature] = [nll, Math.round(t * 100) / 100];
}

/**
 * A text as the served decision sees it: the logits of its worst window (the
 * graph holds the temperature, so the worst window is chosen on the scaled
 * logits, as served), without the clean margin, and the number of windows
 * scored over its chunks (for the length correction).
 */
interface Served {
  z: Float64Array;
  windows: number;
}
function served(w: LinearModelWeights, text: string): Served {
  let best: Float64Array | null = null;
  let windows = 0;
  for (const chunk of chunkText(text, CHUNK_CHARS, CHUNK_OVERLAP)) {
    const x = ids(chunk);
    windows += windowsInChunk(x.length, K);
    const z = worstWindowLogits(w, x, K);
    if (best === null || risk(z) > risk(best)) best = z;
  }
  return { z: best!, windows };
}
const scaledBy = (w: LinearModelWeights, t: number): LinearModelWeights => ({ ...w, weight: w.weight.map((x) => x / t), bias: w.bias.map((x) => x / t) });

/** Decision logits: the clean logit raised by the margin and the length correction. */
const decisionLogits = (v: Served, margin: number, coefficient: number): number[] => {
  const s = Array.from(v.z);
  s[0]! += margin + lengthBoost(coefficient, v.windows);
  return s;
};
/** How far the clean logit stays above every other label. */
const cleanRoom = (v: Served, margin: number, coefficient: number) => {
  const s = decisionLogits(v, margin, coefficient);
  return s[0]! - Math.max(...s.slice(1));
};

// Clean margin and length coefficient, chosen together on dev and on long
// documents built from dev posts only (src/classifier/length-validation.ts:
// concatenated dev clean posts, and the same with one dev bad post inserted).
// Every false alarm costs a reviewer a minute and every bad post called clean
// is a miss, so the rule puts the targets of issue #4 first. A (coefficient,
// margin) pair is admissible when both seed documents stay clean with room to
// spare (their clean logit above every other by at least --seed-slack, on the
// served worst window) and a bad post inserted into a long document is caught
// at least as often as dev bad posts on their own are flagged (the correction
// must not let a long text hide a bad paragraph). Among the admissible pairs
// whose dev clean precision reaches CLEAN_PRECISION_TARGET with 95 %
// confidence (the one-sided Wilson lower bound over the posts dev calls
// clean, not the point estimate: models 1.1.0–1.3.0 were chosen at the edge
// of the target and lost about 2 points of it on the held-out split) and
// macro-F1 MACRO_F1_TARGET: the most long clean documents scored clean, then
// the best dev macro-F1, then the smaller coefficient; failing that, the best clean
// precision among those that keep macro-F1 at MACRO_F1_TARGET; failing that,
// the best macro-F1. The worst window does not depend on either (both shift
// the clean logit of every window of a text alike), so they shift only the
// final decision.
const CLEAN_PRECISION_TARGET = 0.97;
const MACRO_F1_TARGET = 0.9;
const selectionWeights = scaledBy(weights, temperature);
const devServed = dev.map((e) => served(selectionWeights, e.text));
const seedServed = seedFiles.map((f) => served(selectionWeights, readFileSync(`${seedsDir}${f}`, 'utf8')));
const longDocs = buildLongDocuments(dev);
const longServed = longDocs.map((d) => served(selectionWeights, d.text));
const isClean = (v: Served, margin: number, coefficient: number) => cleanRoom(v, margin, coefficient) >= 0;
type Trial = {
  coefficient: number;
  margin: number;
  macroF1: number;
  cleanPrecision: number;
  /** One-sided 95 % Wilson lower bound of dev clean precision. */
  cleanPrecisionLow: number;
  seedsClean: boolean;
  devBadFlagged: number;
  longBadCaught: number;
  longCleanClean: number;
  longOrdinaryClean: number;
};
const trials: Trial[] = [];
const rate = (xs: boolean[]) => xs.filter(Boolean).length / Math.max(xs.length, 1);
for (let c = 0; c <= 1.0001; c += 0.05) {
  const coefficient = Math.round(c * 100) / 100;
  for (let m = -8; m <= 8.0001; m += 0.25) {
    const margin = Math.round(m * 100) / 100;
    const preds = devServed.map((v, i) => ({ gold: devLogits[i]!.gold, probs: softmax(decisionLogits(v, margin, coefficient)) }));
    const cm = confusionMatrix(preds, LABELS.length);
    const pl = perLabel(cm, LABELS);
    const long = (kind: string) => longServed.filter((_, i) => longDocs[i]!.kind === kind);
    trials.push({
      coefficient,
      margin,
      macroF1: macroF1(pl),
      cleanPrecision: pl[0]!.precision,
      cleanPrecisionLow: wilsonLower(cm[0]![0]!, cm.reduce((n, row) => n + row[0]!, 0)),
      seedsClean: seedServed.every((v) => cleanRoom(v, margin, coefficient) >= opts.seedSlack),
      devBadFlagged: rate(preds.filter((p) => p.gold !== 0).map((p) => p.probs.indexOf(Math.max(...p.probs)) !== 0)),
      longBadCaught: rate(long('bad').map((v) => !isClean(v, margin, coefficient))),
      longCleanClean: rate(long('clean').map((v) => isClean(v, margin, coefficient))),
      longOrdinaryClean: rate(long('ordinary').map((v) => isClean(v, margin, coefficient))),
    });
  }
}
const longClean = (t: Trial) => (t.longCleanClean + t.longOrdinaryClean) / 2;
const admissible = trials.filter((t) => t.seedsClean && t.longBadCaught >= t.devBadFlagged);
const pickBy = (ts: Trial[], better: (a: Trial, b: Trial) => boolean) => ts.reduce<Trial | null>((b, t) => (b === null || better(t, b) ? t : b), null);
const best = (ts: Trial[]) => pickBy(ts, (t, b) => t.macroF1 > b.macroF1 + 1e-9);
const mostPrecise = (ts: Trial[]) => pickBy(ts, (t, b) => t.cleanPrecision > b.cleanPrecision + 1e-9);
const mostLongClean = (ts: Trial[]) =>
  pickBy(ts, (t, b) => longClean(t) > longClean(b) + 1e-9 || (Math.abs(longClean(t) - longClean(b)) <= 1e-9 && t.macroF1 > b.macroF1 + 1e-9));
const chosen =
  mostLongClean(admissible.filter((t) => t.cleanPrecisionLow >= CLEAN_PRECISION_TARGET && t.macroF1 >= MACRO_F1_TARGET)) ??
  mostPrecise(admissible.filter((t) => t.macroF1 >= MACRO_F1_TARGET)) ??
  best(admissible);
if (!chosen) throw new Error('no clean margin and length coefficient keep the seed documents clean');
let cleanMargin = chosen.margin;
const lengthCorrection: LengthCorrection = { coefficient: chosen.coefficient, of: 'windows scored' };
// The margins tried with the chosen coefficient (EVALUATION.md quotes them), and for every coefficient the pair the rule would take with it.
const marginTrials = trials.filter((t) => t.coefficient === chosen.coefficient);
const perCoefficient = [...new Set(trials.map((t) => t.coefficient))].map((c) => {
  const ts = admissible.filter((t) => t.coefficient === c);
  return mostLongClean(ts.filter((t) => t.cleanPrecisionLow >= CLEAN_PRECISION_TARGET && t.macroF1 >= MACRO_F1_TARGET)) ?? mostPrecise(ts.filter((t) => t.macroF1 >= MACRO_F1_TARGET)) ?? best(ts) ?? { coefficient: c };
});
for (const t of perCoefficient) console.log(`length coefficient ${JSON.stringify(t)}`);
console.log(`chosen: ${JSON.stringify(chosen)}`);
// Everything above was chosen on dev with a model that never saw it. With
// --refit (not the default), the final weights are trained again, with the same
// options, on train + dev (dev's templates add variety), and keep the dev
// choices of temperature, margin, length coefficient and thresholds; the
// margin only ever grows, and only as far as the seed documents need to stay clean.
let devPredsSelection: Prediction[] | null = null;
let seedFinal = seedServed;
if (refit) {
  devPredsSelection = devServed.map((v, i) => ({ gold: devLogits[i]!.gold, probs: softmax(decisionLogits(v, cleanMargin, lengthCorrection.coefficient)) }));
  const refitExamples = [...fitExamples, ...dev.flatMap(windows)];
  weights = trainAveraged(refitExamples, 'refit ');
  const refitWeights = scaledBy(weights, temperature);
  seedFinal = seedFiles.map((f) => served(refitWeights, readFileSync(`${seedsDir}${f}`, 'utf8')));
  while (cleanMargin < 8 && !seedFinal.every((v) => cleanRoom(v, cleanMargin, lengthCorrection.coefficient) >= opts.seedSlack)) cleanMargin += 0.25;
  console.log(`refit on ${fit.length + dev.length} posts; clean margin ${cleanMargin}`);
}
for (let i = 0; i < weights.weight.length; i++) weights.weight[i]! /= temperature;
for (let i = 0; i < weights.bias.length; i++) weights.bias[i]! /= temperature;
weights.bias[0]! += cleanMargin;

// Dev figures, curves and thresholds: of the model chosen on dev (before any
// refit), with the served decision (margin and length correction).
const devPreds: Prediction[] =
  devPredsSelection ?? dev.map((e, i) => ({ gold: devLogits[i]!.gold, probs: softmax(decisionLogits(served(weights, e.text), 0, lengthCorrection.coefficient)) }));
const confusion = confusionMatrix(devPreds, LABELS.length);
const metrics = perLabel(confusion, LABELS);
const grid = Array.from({ length: 20 }, (_, i) => Math.round((0.3 + i * 0.035) * 1000) / 1000).concat([0.97, 0.98, 0.99]);
const curves = Object.fromEntries(LABELS.slice(1).map((l) => [l, thresholdCurve(devPreds, labelIndex.get(l)!, grid)]));
const seedScores = seedFinal.map((v, i) => ({
  file: seedFiles[i],
  windows: v.windows,
  pClean: softmax(decisionLogits(v, cleanMargin, lengthCorrection.coefficient))[0],
  cleanLogitRoom: Math.round(cleanRoom(v, cleanMargin, lengthCorrection.coefficient) * 1000) / 1000,
}));
const card: ModelCard = {
  name: MODEL_NAME,
  version: MODEL_VERSION,
  labels: LABELS,
  temperature,
  cleanMargin,
  lengthCorrection,
  window: K,
  chunkChars: CHUNK_CHARS,
  chunkOverlap: CHUNK_OVERLAP,
  train: {
    corpus: corpusDigest(['train', 'dev']),
    posts: fit.length,
    windows: fitExamples.length,
    windowsPerLabel: Object.fromEntries(LABELS.map((l, i) => [l, windowCounts[i]])),
    vocabulary: vocab.length,
    ...opts,
    refitOnTrainAndDev: Boolean(refit),
  },
  validation: {
    split: 'dev',
    examples: dev.length,
    macroF1: macroF1(metrics),
    perLabel: metrics,
    confusion,
    ece: calibration(devPreds).ece,
    nll: negativeLogLikelihood(devPreds),
    seeds: seedScores,
    marginTrials,
    length: {
      documents: { builtFrom: 'dev', seed: LONG_SEED, perKind: LONG_PER_KIND, chars: [LONG_MIN_CHARS, LONG_MAX_CHARS] },
      chosen,
      perCoefficient,
    },
    curves,
    suggestedThresholds: suggestThresholds(curves),
  },
};

if (args['explain-seeds']) {
  // Diagnostics: the five riskiest windows of each seed document and the characters that push them.
  const vocabIndex = vocab;
  for (const f of seedFiles) {
    const text = readFileSync(`${seedsDir}${f}`, 'utf8');
    const found: Array<{ r: number; label: string; win: string; top: string }> = [];
    for (const chunk of chunkText(text, CHUNK_CHARS, CHUNK_OVERLAP)) {
      const x = ids(chunk);
      const pos = positionRows(x, shape);
      for (let s0 = 0; s0 <= Math.max(x.length - K, 0); s0++) {
        const rows = windowRows(pos, s0, K);
        const z = logitsOf(weights, rows);
        const r = risk(z);
        const bad = 1 + z.slice(1).indexOf(Math.max(...z.slice(1)));
        const contrib = [];
        for (let t = s0; t < Math.min(x.length, s0 + K); t++) {
          const zz = logitsOf(weights, pos[t]!);
          contrib.push({ t: vocabIndex[x[t]!] + (vocabIndex[x[t + 1] ?? 0] ?? '') + (vocabIndex[x[t + 2] ?? 0] ?? ''), d: zz[bad]! - zz[0]! });
        }
        contrib.sort((a, b) => b.d - a.d);
        found.push({ r, label: LABELS[bad]!, win: x.slice(s0, s0 + K).map((i) => vocabIndex[i]).join(''), top: contrib.slice(0, 4).map((c) => `${c.t}:${c.d.toFixed(1)}`).join(' ') });
      }
    }
    found.sort((a, b) => b.r - a.r);
    console.log(f);
    const shown = new Set<string>();
    for (const w of found) {
      if (shown.size >= 6) break;
      if ([...shown].some((s1) => s1.slice(3, 12) === w.win.slice(3, 12) || s1.includes(w.win.slice(5, 12)))) continue;
      shown.add(w.win);
      console.log(`  risk ${w.r.toFixed(2)} ${w.label} ${w.win} | ${w.top}`);
    }
  }
}

if (args['dump-dev']) {
  writeFileSync(args['dump-dev'], devPreds.map((p, i) => JSON.stringify({ id: dev[i]!.id, source: dev[i]!.source, gold: LABELS[p.gold], pred: LABELS[p.probs.indexOf(Math.max(...p.probs))], probs: p.probs.map((x) => Math.round(x * 1e4) / 1e4), text: dev[i]!.text })).join('\n') + '\n');
}

if (!args['no-export']) {
  writeFileSync(`${dir}onnx/model.onnx`, buildOnnxModel(weights, MODEL_VERSION, K));
  const id2label = Object.fromEntries(LABELS.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(LABELS.map((l, i) => [l, i]));
  writeFileSync(
    `${dir}config.json`,
    JSON.stringify(
      {
        model_type: 'bert',
        architectures: ['BertForSequenceClassification'],
        problem_type: 'single_label_classification',
        id2label,
        label2id,
        vocab_size: vocab.length,
        hidden_size: weights.dim,
        lastgate_buckets: opts.buckets,
        lastgate_window: K,
      },
      null,
      2,
    ),
  );
  writeFileSync(`${dir}lastgate.json`, JSON.stringify(card, null, 2));

  // The exported graph must reproduce the trainer's probabilities.
  const pipe = await pipeline('text-classification', MODEL_ID, { local_files_only: true, quantized: false });
  const probe = [...dev.slice(0, 96).map((e) => e.text), '', '😀', '赌', dev.slice(0, 12).map((e) => e.text).join('')];
  const served = (await pipe(probe, { topk: LABELS.length })) as unknown as Array<Array<{ label: string; score: number }>>;
  let maxDiff = 0;
  probe.forEach((text, i) => {
    const mine = softmax(worstWindowLogits(weights, ids(text), K));
    for (const { label, score } of served[i]!) maxDiff = Math.max(maxDiff, Math.abs(score - mine[labelIndex.get(label)!]!));
  });
  if (maxDiff > 1e-3) throw new Error(`ONNX export disagrees with the trainer (max |Δp| = ${maxDiff})`);
  console.log(`wrote ${dir} (ONNX parity max |Δp| = ${maxDiff.toExponential(1)})`);
}

console.log(`temperature ${temperature}, clean margin ${cleanMargin}; dev macro-F1 ${macroF1(metrics).toFixed(4)}, clean precision ${metrics[0]!.precision.toFixed(3)}`);
for (const m of metrics) console.log(`  ${m.label.padEnd(9)} P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} F1 ${m.f1.toFixed(3)} (${m.support})`);
console.log(`confusion ${JSON.stringify(confusion)}`);
console.log(`seeds p(clean): ${seedScores.map((s) => `${s.pClean!.toFixed(3)} (room ${s.cleanLogitRoom})`).join(', ')}`);
console.log(`suggested thresholds: ${JSON.stringify(card.validation.suggestedThresholds)}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
