/**
 * `npm run train`: rebuilds the shipped classifier models/<MODEL_ID>/ from the
 * repository and ../shared/data/ (the 1.x trainer is scripts/train-charngram.ts).
 *
 * 1. scripts/classifier/dataset.ts: the vocabulary (tokenizer.json) and the
 *    train and dev texts of the three sets (src/classifier/training-data.ts),
 *    tokenised by the served tokenizer, in .cache/classifier/data/;
 * 2. scripts/classifier/train.py (torch, one thread, fixed seed): the window
 *    classifier on the train part, exported to ONNX, in
 *    .cache/classifier/build/;
 * 3. the model directory: onnx/model.onnx, tokenizer files, lastgate.json,
 *    README.md; the served graph must give the trainer's window logits
 *    (|Δ| ≤ 1e-3 on the probe texts);
 * 4. the decision, on dev only, with the served model
 *    (src/classifier/calibration.ts): temperature, clean margin, review
 *    thresholds (official dev paragraphs raised ≤ OFFICIAL_BUDGET, seeds
 *    clean) and length coefficient (long dev documents); all of it goes into
 *    the card, which the served classifier reads.
 *
 * The real holdout part and the synthetic test split are never read (only
 * scripts/eval.ts reads them).
 *
 *     npm run train [-- --python PATH] [-- --skip-torch] [-- ARGS FOR train.py...]
 *
 * `--skip-torch` reuses .cache/classifier/build/ (recalibrates only). For
 * candidates compared on dev: `--build DIR` calibrates the trainer output in
 * DIR instead (implies --skip-torch) and `--models-dir DIR --id NAME` writes
 * the model directory elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDataset } from './classifier/dataset.js';
import { LABELS, MODEL_ID, MODEL_NAME, MODEL_VERSION, MODELS_DIR, type WindowModelCard } from '../src/classifier/model-files.js';
import { loadWindowModel, type WindowScores } from '../src/classifier/window-model.js';
import { readTuningTexts, type LabelledText } from '../src/classifier/training-data.js';
import { readCorpus } from '../src/classifier/corpus.js';
import { buildLongDocuments, buildRealLongDocuments, LONG_SEED } from '../src/classifier/length-validation.js';
import { chooseLength, fitTemperature, LENGTH_TOLERANCE, OFFICIAL_BUDGET, raisedAll, type DevItem, type LongItem } from '../src/classifier/calibration.js';
import { compare, formatComparison } from '../src/classifier/comparison.js';
import { SEEDS_DIR } from '../src/evaluation/real-data.js';

/** The training options of the shipped model (arguments of train.py), chosen on dev (EVALUATION.md, candidates). */
export const TRAINING_ARGS = ['--arch', 'ft', '--dim', '32', '--hidden', '64', '--kernel', '3', '--window', '24', '--stride', '4', '--buckets', String(2 ** 18), '--epochs', '3', '--row-drop', '0.5', '--dropout', '0.1', '--window-loss', '0.5', '--weight-official', '3', '--bad-weight', '2', '--seed', '14', '--threads', '1', '--fp16-embeddings'];
export const LENGTH_GRID = Array.from({ length: 11 }, (_, i) => Math.round(i * 0.05 * 100) / 100);
export const SYNTHETIC_LONG_PER_KIND = 200;
export const LICENCES: WindowModelCard['licences'] = [
  { data: 'data/corpus/ (synthetic posts, written for this project)', licence: 'MIT (this repository)', source: 'data/corpus/README.md' },
  { data: 'COLD (COLDataset train.csv and dev.csv, comments labelled offensive / not offensive)', licence: 'Apache-2.0', source: 'thu-coai/COLDataset @ a0c55a9, via ../shared/data/cold/' },
  { data: 'Government work reports 1954–2009 (State Council)', licence: 'official documents of a state organ, not protected (PRC Copyright Law Art. 5); public domain on Wikisource (PD-PRC-exempt)', source: 'aldohemsn/chinese-political-corpora @ 99bc4b0, via ../shared/data/official/' },
  { data: 'CPC congress reports, 9th–15th congresses', licence: 'treated as Art. 5 official documents by Wikisource; the footing is weaker than for state-organ text (see ../shared/data/README.md)', source: 'aldohemsn/chinese-political-corpora @ 99bc4b0, via ../shared/data/official/' },
  { data: 'Shanghai local regulations', licence: 'official documents (PRC Copyright Law Art. 5)', source: 'LawRefBook/Laws @ 2f4c5c2, via ../shared/data/official/' },
];

const root = fileURLToPath(new URL('../', import.meta.url));
const cache = `${root}.cache/classifier/`;
const dataDir = `${cache}data/`;
const argv = process.argv.slice(2);
const take = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const slash = (d: string) => (d.endsWith('/') ? d : `${d}/`);
const pythonArg = take('--python');
const buildArg = take('--build');
const buildDir = buildArg ? slash(buildArg) : `${cache}build/`;
const modelId = take('--id') ?? MODEL_ID;
const modelsDirArg = take('--models-dir');
const modelDir = `${modelsDirArg ? slash(modelsDirArg) : MODELS_DIR}${modelId}/`;

/** A Python that imports torch and onnx: --python, $LASTGATE_PYTHON, or the first of a few usual names. */
function findPython(explicit?: string): string {
  const candidates = [explicit, process.env.LASTGATE_PYTHON, '/usr/bin/python3.11', 'python3.11', 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
    if (r.status === 0) return c;
  }
  throw new Error(`no Python with torch and onnx found (tried ${candidates.join(', ')}); install python3-torch and python3-onnx or set LASTGATE_PYTHON`);
}

const skipTorch = argv.includes('--skip-torch') || Boolean(buildArg);
if (argv.includes('--skip-torch')) argv.splice(argv.indexOf('--skip-torch'), 1);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// 1. Vocabulary and tokenised data.
const dataset = prepareDataset(dataDir);
console.log(`dataset: vocabulary ${dataset.vocabulary}, digest ${dataset.digest}, ${JSON.stringify(dataset.counts)} (${elapsed()})`);

// 2. Torch.
const trainArgs = buildArg ? [] : [...TRAINING_ARGS, ...argv];
if (!skipTorch) {
  const python = findPython(pythonArg);
  rmSync(buildDir, { recursive: true, force: true });
  console.log(`${python} scripts/classifier/train.py ${trainArgs.join(' ')}`);
  execFileSync(python, [`${root}scripts/classifier/train.py`, dataDir, buildDir, ...trainArgs], { stdio: 'inherit', env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
}
const trained = JSON.parse(readFileSync(`${buildDir}train.json`, 'utf8')) as { options: Record<string, unknown>; vocabulary: number; rows: number; radius: number; history: unknown[]; seconds: number };
if (trained.vocabulary !== dataset.vocabulary) throw new Error('the build in .cache/classifier/build/ was trained on another vocabulary: run without --skip-torch');
const o = trained.options as { arch: string; dim: number; hidden: number; kernel: number; window: number; stride: number; buckets: number };

// 3. Model directory.
rmSync(modelDir, { recursive: true, force: true });
mkdirSync(`${modelDir}onnx`, { recursive: true });
copyFileSync(`${buildDir}model.onnx`, `${modelDir}onnx/model.onnx`);
for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(`${dataDir}${f}`, `${modelDir}${f}`);
const card: WindowModelCard = {
  name: modelId === MODEL_ID ? MODEL_NAME : modelId.replace(/-[^-]+$/, ''),
  version: modelId === MODEL_ID ? MODEL_VERSION : modelId.replace(/^.*-/, ''),
  format: 'window-logits',
  labels: LABELS,
  vocabSize: trained.vocabulary,
  buckets: o.buckets,
  window: o.window,
  stride: o.stride,
  radius: trained.radius,
  temperature: 1,
  cleanMargin: 0,
  lengthCorrection: { coefficient: 0, of: 'windows scored' },
  architecture: {
    arch: o.arch,
    description: architectureText(o),
    embeddingRows: trained.rows,
    dim: o.dim,
    hidden: o.hidden,
    kernel: o.kernel,
  },
  data: {},
  licences: LICENCES,
  train: {},
  validation: {},
};
writeFileSync(`${modelDir}lastgate.json`, JSON.stringify(card, null, 2));
const raw = await loadWindowModel(modelDir, modelId, card);

const dev = readTuningTexts(['dev']);
const devScores = await raw.windowScores(dev.map((t) => t.text));
{
  const probe = JSON.parse(readFileSync(`${buildDir}probe.json`, 'utf8')) as Array<{ id: string; windowLogits: number[][] }>;
  const at = new Map(dev.map((t, i) => [t.id, i]));
  let maxDiff = 0;
  for (const p of probe) {
    const z = devScores[at.get(p.id)!]!.logits;
    if (z.length !== p.windowLogits.length * LABELS.length) throw new Error(`${p.id}: the served graph scores ${z.length / LABELS.length} windows, the trainer ${p.windowLogits.length}`);
    p.windowLogits.flat().forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - z[k]!))));
  }
  if (maxDiff > 1e-3) throw new Error(`the ONNX graph disagrees with the trainer (max |Δ logit| = ${maxDiff})`);
  console.log(`parity: served window logits within ${maxDiff.toExponential(1)} of the trainer's on ${probe.length} dev texts`);
}

// 4. Decision on dev.
const C = LABELS.length;
function worstRaw(w: WindowScores, temperature: number): number[] {
  const nw = w.logits.length / C;
  let best = 0;
  let bestRisk = -Infinity;
  for (let k = 0; k < nw; k++) {
    const z = Array.from(w.logits.subarray(k * C, k * C + C), (v) => v / temperature);
    const m = Math.max(...z.slice(1));
    const r = m + Math.log(z.slice(1).reduce((s, v) => s + Math.exp(v - m), 0)) - z[0]!;
    if (r > bestRisk) [best, bestRisk] = [k, r];
  }
  return Array.from(w.logits.subarray(best * C, best * C + C));
}
const windowsOfScores = (w: WindowScores) => w.logits.length / C;
const seedFiles = readdirSync(SEEDS_DIR).filter((f) => f.endsWith('.txt')).sort();
const seedTexts = seedFiles.map((f) => readFileSync(join(SEEDS_DIR, f), 'utf8'));
const seedScores = await raw.windowScores(seedTexts);
// The temperature first (it changes which window is the worst), on the dev texts alone.
const temperature = fitTemperature(dev.map((t, i) => ({ set: t.set, gold: t.label, z: worstRaw(devScores[i]!, 1), windows: windowsOfScores(devScores[i]!) })));
const items = (texts: readonly LabelledText[], scores: readonly WindowScores[]): DevItem[] =>
  texts.map((t, i) => ({ set: t.set, gold: t.label, z: worstRaw(scores[i]!, temperature), windows: windowsOfScores(scores[i]!) }));
const devItems = [...items(dev, devScores), ...seedScores.map((s): DevItem => ({ set: 'seed', gold: 0, z: worstRaw(s, temperature), windows: windowsOfScores(s) }))];

// Long documents from dev texts only: real official documents whole (and with one bad dev text inserted), and synthetic ones (length-validation.ts).
const syntheticDev = readCorpus('dev');
const synthLong = buildLongDocuments(syntheticDev, SYNTHETIC_LONG_PER_KIND);
const realLong = buildRealLongDocuments(dev);
const longTexts = [...realLong.map((d) => d.text), ...synthLong.map((d) => d.text)];
const insertedTexts = [...realLong.map((d) => d.inserted ?? ''), ...synthLong.map((d) => d.inserted ?? '')];
const [longScores, insertedScores] = [await raw.windowScores(longTexts), await raw.windowScores(insertedTexts)];
const kinds = [...realLong.map((d) => d.kind as string), ...synthLong.map((d) => `synthetic-${d.kind}`)];
const longItems: LongItem[] = longTexts.map((_, i) => ({
  kind: kinds[i]!,
  set: 'official',
  gold: 0,
  z: worstRaw(longScores[i]!, temperature),
  windows: windowsOfScores(longScores[i]!),
  ...(insertedTexts[i] ? { inserted: { set: 'synthetic', gold: 1, z: worstRaw(insertedScores[i]!, temperature), windows: windowsOfScores(insertedScores[i]!) } } : {}),
}));
const length = chooseLength(devItems, longItems, temperature, OFFICIAL_BUDGET, LENGTH_GRID);
const decision = length.choice.decision;
for (const t of length.trials) console.log(`length ${t.coefficient}: margin ${t.margin}, objective ${t.objective.toFixed(4)}, inserted alone ${t.devBadRaised.toFixed(3)}, long bad raised ${t.longBadRaised.toFixed(3)}, long clean clean ${t.longCleanClean.toFixed(3)} ${JSON.stringify(t.perKind)}`);

card.temperature = temperature;
card.cleanMargin = decision.margin;
card.lengthCorrection = { coefficient: decision.coefficient, of: 'windows scored' };
const suggestedThresholds = Object.fromEntries(LABELS.slice(1).map((l, i) => [l, { review: decision.thresholds[i + 1]!, block: null }]));

// Dev figures of the served decision.
const served = await loadWindowModel(modelDir, modelId, card);
const devResults = await served.classify(dev.map((t) => t.text));
const comparison = compare(dev, devResults);
const devRaised = raisedAll(devItems, decision);
const seedsServed = await served.classify(seedTexts);
const onnxBytes = readFileSync(`${modelDir}onnx/model.onnx`);
card.data = {
  vocabulary: dataset.vocabulary,
  vocabularyMinCount: dataset.minCount,
  datasetDigest: dataset.digest,
  texts: dataset.counts,
  corpusTrainSha256: sha256File(`${root}data/corpus/train.jsonl`),
  sharedData: 'cold/train.jsonl, cold/dev.jsonl (first half by the split of src/evaluation/real-data.ts), official/*.jsonl (60 % / 15 % of the documents)',
};
card.train = { trainer: 'scripts/classifier/train.py (torch ' + torchVersion() + ')', args: trainArgs, options: trained.options, history: trained.history, seconds: trained.seconds, onnxSha256: createHash('sha256').update(onnxBytes).digest('hex') };
card.validation = {
  split: 'dev (synthetic dev.jsonl, the dev half of COLD dev, 15 % of the official documents) and the two seed documents',
  officialBudget: OFFICIAL_BUDGET,
  temperature,
  decision: { margin: decision.margin, coefficient: decision.coefficient, thresholds: suggestedThresholds },
  figures: length.choice.figures,
  comparison,
  perMargin: length.choice.perMargin.map((p) => ('figures' in p ? { margin: p.margin, thresholds: p.thresholds, objective: round(p.figures.objective), officialRaised: round(p.figures.officialRaised) } : p)),
  length: { seed: LONG_SEED, syntheticPerKind: SYNTHETIC_LONG_PER_KIND, realDocuments: realLong.length / 2, chosen: length.chosen, trials: length.trials },
  seeds: seedFiles.map((f, i) => ({ file: f, label: seedsServed[i]!.label, pClean: round(seedsServed[i]!.scores!.clean!), windows: windowsOfScores(seedScores[i]!) })),
  suggestedThresholds,
};
writeFileSync(`${modelDir}lastgate.json`, JSON.stringify(card, null, 2));
writeFileSync(`${modelDir}README.md`, modelReadme(card, onnxBytes.length));

const f = length.choice.figures;
console.log(formatComparison(`${modelId} (dev, served decision)`, comparison));
console.log(`temperature ${temperature}, margin ${decision.margin}, length coefficient ${decision.coefficient}, thresholds ${JSON.stringify(suggestedThresholds)}`);
console.log(`dev with thresholds: official raised ${(f.officialRaised * 100).toFixed(2)} %, COLD recall ${(f.coldRecall * 100).toFixed(1)} % / false alarms ${(f.coldCleanRaised * 100).toFixed(1)} %, synthetic recall ${f.syntheticRecall.slice(1).map((r, i) => `${LABELS[i + 1]} ${r.toFixed(3)}`).join(' ')}, synthetic clean raised ${(f.syntheticCleanRaised * 100).toFixed(1)} %`);
console.log(`seeds: ${seedsServed.map((r, i) => `${seedFiles[i]} ${r.label} p(clean) ${r.scores!.clean!.toFixed(3)}`).join('; ')}; raised on dev ${devRaised.filter((r) => r !== 0).length}`);
console.log(`wrote ${modelDir} (model.onnx ${(onnxBytes.length / 1e6).toFixed(1)} MB, sha256 ${createHash('sha256').update(onnxBytes).digest('hex').slice(0, 16)}) in ${elapsed()}`);

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

function torchVersion(): string {
  try {
    return execFileSync(findPython(pythonArg), ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function architectureText(x: { arch: string; dim: number; hidden: number; kernel: number; window: number; stride: number; buckets: number }): string {
  const emb = `character, hashed bigram and trigram embeddings (dim ${x.dim}, ${x.buckets.toLocaleString('en-US')} buckets) summed per position`;
  const body =
    x.arch === 'cnn'
      ? `a convolution over positions (kernel ${x.kernel}, ${x.hidden} channels, ReLU), max over each window`
      : x.arch === 'ft'
        ? `mean over each window, a hidden layer of ${x.hidden} (ReLU)`
        : 'mean over each window';
  return `${emb}; ${body}; a linear layer to the ${LABELS.length} labels, for windows of ${x.window} token positions every ${x.stride} positions; a text counts as its worst window`;
}


function admissibleText(c: WindowModelCard): string {
  const trials = (c.validation as { length: { trials: Array<{ coefficient: number; longBadRaised: number; devBadRaised: number }> } }).length.trials;
  const ok = trials.filter((t) => t.longBadRaised - t.devBadRaised >= -LENGTH_TOLERANCE - 1e-12).map((t) => t.coefficient);
  return `coefficients that keep long dev documents with a bad text raised as often as the bad texts alone: ${ok.length ? ok.join(', ') : 'none'} of ${trials.map((t) => t.coefficient).join(', ')}`;
}

function modelReadme(c: WindowModelCard, bytes: number): string {
  const v = c.validation as { decision: { thresholds: Record<string, { review: number }> }; seeds: Array<{ file: string; label: string; pClean: number }> };
  return `# ${c.name}-${c.version}

lastgate's local text classifier (labels ${c.labels.join(', ')}), trained from scratch for pre-publication review of
government new-media posts. Rebuilt by \`npm run train\` (scripts/train.ts → scripts/classifier/train.py) from the
repository and \`../shared/data/\`; served offline by src/classifier/window-model.ts (onnxruntime-node).

## Model

${String(c.architecture.description)}. ${c.vocabSize} tokens, ${Number(c.architecture.embeddingRows).toLocaleString('en-US')} embedding rows;
\`onnx/model.onnx\` is ${(bytes / 1e6).toFixed(1)} MB${c.train.options && (c.train.options as { fp16_embeddings?: boolean }).fp16_embeddings ? ' (the embedding table in float16)' : ''}, sha256 ${String(c.train.onnxSha256).slice(0, 16)}…;
\`npm run train\` with the same repository, ../shared/data/ and torch rebuilds it byte for byte (one thread, fixed seed).
Decision (lastgate.json): temperature ${c.temperature}, clean margin ${c.cleanMargin},
${c.lengthCorrection?.coefficient ? `length correction ${c.lengthCorrection.coefficient} · ln(windows)` : 'no length correction'} (${admissibleText(c)}); review thresholds ${Object.entries(v.decision.thresholds).map(([l, t]) => `${l} ${t.review}`).join(', ')}
(chosen on dev so that at most ${OFFICIAL_BUDGET * 100} % of the official dev paragraphs are raised by the classifier alone).
\`classify\` also returns \`evidence\`: the windows that drove the score, as offsets into the text.

## Training data and licences

| data | licence | source |
|---|---|---|
${c.licences.map((l) => `| ${l.data} | ${l.licence} | ${l.source} |`).join('\n')}

Labels: COLD offensive → \`vulgar\`, COLD not offensive → \`clean\`, official paragraphs → \`clean\`; the synthetic corpus is the
only source of \`secret\`, \`political\`, \`illegal\` and \`ads\`. Split of the real texts: src/evaluation/real-data.ts
(COLD train → train; COLD dev halves → dev / holdout; official documents, whole, 60 / 15 / 25 %). The model was
trained on the train part only; dev chose the options and the decision; the holdout part is only scored
(EVALUATION.md). The categorised lexicons of ../shared/data/lexicons/ were not used.

## Limits

The classifier alone never decides: it raises a post to human review. Its \`secret\`, \`political\`, \`illegal\` and \`ads\`
are learnt from synthetic templates only; real clean official text (1954–2009 reports, regulations) and COLD comments
are the only real texts it has seen. The two seed documents (they had to stay clean when the decision was chosen): ${v.seeds.map((s) => `${s.file} ${s.label} (p(clean) ${s.pClean})`).join(', ')}.
`;
}
