/**
 * `npm run train`: trains the classifier on data/corpus/train.jsonl (minus a
 * deterministic 10 % validation carve-out) and writes
 * models/<name>-<version>/ — onnx/model.onnx, config.json, tokenizer.json,
 * tokenizer_config.json and lastgate.json (training metadata, validation
 * figures, temperature, suggested thresholds). The test split is never read.
 *
 * Options: --epochs N --dim N --buckets N --lr X --seed N --min-examples N --bad-weight X --out DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AutoTokenizer, pipeline } from '@xenova/transformers';
import { readCorpus, isValidation, corpusDigest } from '../src/classifier/corpus.js';
import { buildTokenizerFiles, buildVocabulary } from '../src/classifier/tokenizer.js';
import { featureRows } from '../src/classifier/features.js';
import { train, logits, softmax } from '../src/classifier/trainer.js';
import { buildOnnxModel } from '../src/classifier/onnx-graph.js';
import { LABELS, MODEL_ID, MODEL_NAME, MODEL_VERSION, MODELS_DIR, type ModelCard } from '../src/classifier/model-files.js';
import { useOfflineModels } from '../src/classifier/offline-env.js';
import { CHUNK_CHARS, CHUNK_OVERLAP, MAX_TOKENS } from '../src/classifier/chunking.js';
import { calibration, confusionMatrix, macroF1, negativeLogLikelihood, perLabel, thresholdCurve, type Prediction } from '../src/classifier/metrics.js';
import { suggestThresholds } from '../src/classifier/thresholds.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '15' },
    dim: { type: 'string', default: '16' },
    buckets: { type: 'string', default: String(2 ** 17) },
    lr: { type: 'string', default: '0.4' },
    seed: { type: 'string', default: '7' },
    'min-examples': { type: 'string', default: '2' },
    'bad-weight': { type: 'string', default: '2' },
    out: { type: 'string', default: MODELS_DIR },
  },
});
const opts = {
  epochs: Number(args.epochs),
  dim: Number(args.dim),
  buckets: Number(args.buckets),
  learningRate: Number(args.lr),
  seed: Number(args.seed),
  minExamplesPerRow: Number(args['min-examples']),
  /** Loss weight of the non-clean labels relative to clean: a missed bad post costs more than a false alarm. */
  badWeight: Number(args['bad-weight']),
};
const modelsDir = args.out!.endsWith('/') ? args.out! : `${args.out}/`;
const dir = `${modelsDir}${MODEL_ID}/`;
const t0 = performance.now();

const all = readCorpus('train');
const fit = all.filter((e) => !isValidation(e.id));
const valid = all.filter((e) => isValidation(e.id));
const labelIndex = new Map<string, number>(LABELS.map((l, i) => [l, i]));
console.log(`corpus: ${fit.length} training, ${valid.length} validation examples`);

const vocab = buildVocabulary(fit.map((e) => e.text));
const tokenizerFiles = buildTokenizerFiles(vocab, MAX_TOKENS);
mkdirSync(`${dir}onnx`, { recursive: true });
for (const [name, json] of Object.entries(tokenizerFiles)) writeFileSync(`${dir}${name}`, JSON.stringify(json));

// Tokenise with transformers.js itself, so training sees exactly the ids serving will.
useOfflineModels(modelsDir);
const tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID, { local_files_only: true });
const shape = { vocabSize: vocab.length, buckets: opts.buckets };
const encode = (text: string) => featureRows(tokenizer.encode(text, null, { add_special_tokens: false }), shape);
const toExample = (e: { text: string; label: string }) => {
  const label = labelIndex.get(e.label);
  if (label === undefined) throw new Error(`unknown label ${e.label}`);
  return { rows: encode(e.text), label };
};
// A post with no usable text (empty, emoji only) is clean: a few empty clean
// examples teach the bias what "no evidence" means.
const fitExamples = [...fit.map(toExample), ...Array.from({ length: Math.round(fit.length * 0.02) }, () => ({ rows: new Int32Array(0), label: 0 }))];
const validExamples = valid.map(toExample);
console.log(`vocabulary: ${vocab.length} characters; tokenised in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const weights = train(fitExamples, { ...shape, dim: opts.dim, labels: LABELS.length, epochs: opts.epochs, learningRate: opts.learningRate, seed: opts.seed, minExamplesPerRow: opts.minExamplesPerRow, labelWeights: LABELS.map((l) => (l === 'clean' ? 1 : opts.badWeight)) }, (epoch, loss) =>
  console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}`),
);

// Temperature scaling on validation (grid search on the negative log-likelihood).
// Validation shares templates with training, so it is easier than real posts:
// the temperature may soften the scores but never sharpen them (T >= 1).
const validLogits = validExamples.map((e) => ({ gold: e.label, z: logits(weights, e.rows) }));
let temperature = 1;
let bestNll = Infinity;
for (let t = 1; t <= 4.0001; t += 0.05) {
  const nll = negativeLogLikelihood(validLogits.map((v) => ({ gold: v.gold, probs: softmax(v.z, t) })));
  if (nll < bestNll) [bestNll, temperature] = [nll, Math.round(t * 100) / 100];
}
for (let i = 0; i < weights.weight.length; i++) weights.weight[i]! /= temperature;
for (let i = 0; i < weights.bias.length; i++) weights.bias[i]! /= temperature;

// Clean prior: the largest boost of the clean logit that costs no bad label more
// than two points of validation recall. Text with little evidence either way
// (unseen vocabulary, empty, emoji only) then comes out clean, not as the
// label with the largest bias.
const recallAt = (margin: number) => {
  const preds = validLogits.map((v) => {
    const z = Array.from(v.z, (x) => x / temperature);
    z[0]! += margin;
    return { gold: v.gold, probs: softmax(z) };
  });
  return perLabel(confusionMatrix(preds, LABELS.length), LABELS).slice(1).map((m) => m.recall);
};
const baseRecall = recallAt(0);
let cleanMargin = 0;
for (let m = 0.25; m <= 8.0001; m += 0.25) {
  if (recallAt(m).some((r, i) => r < baseRecall[i]! - 0.02)) break;
  cleanMargin = m;
}
weights.bias[0]! += cleanMargin;

const validPreds: Prediction[] = validExamples.map((e) => ({ gold: e.label, probs: softmax(logits(weights, e.rows)) }));
const confusion = confusionMatrix(validPreds, LABELS.length);
const metrics = perLabel(confusion, LABELS);
const grid = Array.from({ length: 20 }, (_, i) => Math.round((0.3 + i * 0.035) * 1000) / 1000).concat([0.97, 0.98, 0.99]);
const curves = Object.fromEntries(LABELS.slice(1).map((l) => [l, thresholdCurve(validPreds, labelIndex.get(l)!, grid)]));
const card: ModelCard = {
  name: MODEL_NAME,
  version: MODEL_VERSION,
  labels: LABELS,
  temperature,
  cleanMargin,
  chunkChars: CHUNK_CHARS,
  chunkOverlap: CHUNK_OVERLAP,
  train: {
    corpus: corpusDigest(),
    examples: fit.length,
    vocabulary: vocab.length,
    ...opts,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  },
  validation: {
    examples: valid.length,
    macroF1: macroF1(metrics),
    perLabel: metrics,
    confusion,
    ece: calibration(validPreds).ece,
    nll: negativeLogLikelihood(validPreds),
    curves,
    suggestedThresholds: suggestThresholds(curves),
  },
};

writeFileSync(`${dir}onnx/model.onnx`, buildOnnxModel(weights, MODEL_VERSION));
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
      hidden_size: opts.dim,
      lastgate_buckets: opts.buckets,
    },
    null,
    2,
  ),
);
writeFileSync(`${dir}lastgate.json`, JSON.stringify(card, null, 2));

// The exported graph must reproduce the trainer's probabilities.
const pipe = await pipeline('text-classification', MODEL_ID, { local_files_only: true, quantized: false });
const probe = valid.slice(0, 64);
const served = (await pipe(probe.map((e) => e.text), { topk: LABELS.length })) as unknown as Array<Array<{ label: string; score: number }>>;
let maxDiff = 0;
probe.forEach((e, i) => {
  const mine = softmax(logits(weights, encode(e.text)));
  for (const { label, score } of served[i]!) maxDiff = Math.max(maxDiff, Math.abs(score - mine[labelIndex.get(label)!]!));
});
if (maxDiff > 1e-4) throw new Error(`ONNX export disagrees with the trainer (max |Δp| = ${maxDiff})`);

console.log(`temperature ${temperature}, clean margin ${cleanMargin}; validation macro-F1 ${macroF1(metrics).toFixed(4)}`);
for (const m of metrics) console.log(`  ${m.label.padEnd(9)} P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} F1 ${m.f1.toFixed(3)} (${m.support})`);
console.log(`suggested thresholds: ${JSON.stringify(card.validation.suggestedThresholds)}`);
console.log(`wrote ${dir} (ONNX parity max |Δp| = ${maxDiff.toExponential(1)}) in ${card.train.seconds} s`);
