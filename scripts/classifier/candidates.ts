/**
 * The candidate models of issue 13, compared on dev only (never the real
 * holdout, never the synthetic test split), through the served path; writes
 * scripts/classifier/candidates.json, which `npm run eval` quotes in
 * EVALUATION.md.
 *
 * For every candidate: the threshold-free figures of src/classifier/comparison.ts
 * (COLD AUC; official / COLD / synthetic figures at the clean margin that
 * leaves 0.5 % of the official dev paragraphs not clean), and the figures of
 * its decision under the one calibration rule of src/classifier/calibration.ts
 * (official dev paragraphs raised ≤ 0.5 %, seeds clean, best objective). The
 * window models carry that decision in their card (scripts/train.ts); for the
 * 1.x models the same rule is applied here to their served probabilities
 * (log-probabilities as logits, one window).
 *
 *     node bin/run-ts.mjs scripts/classifier/candidates.ts
 *
 * The candidates other than the shipped model and 1.4.0 are rebuilt into
 * tmp/classifier-candidates/ by the commands in CANDIDATES (not in git). The
 * speed column: posts/s of 500-character posts (texts of the synthetic test
 * split, as in bench/classifier.ts; they are only timed, never scored) relative
 * to 1.4.0, passes of the models alternating in this one process.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClassifier } from '../../src/classifier/index.js';
import { BASELINE_MODEL_ID, LABELS, MODEL_ID, MODELS_DIR } from '../../src/classifier/model-files.js';
import { compare, type Comparison } from '../../src/classifier/comparison.js';
import { chooseDecision, fitTemperature, OFFICIAL_BUDGET, type DevItem, type Figures } from '../../src/classifier/calibration.js';
import { readTuningTexts } from '../../src/classifier/training-data.js';
import { SEEDS_DIR } from '../../src/evaluation/real-data.js';
import { benchPosts } from '../../bench/classifier.js';
import { loadavg } from 'node:os';

const root = fileURLToPath(new URL('../../', import.meta.url));
const candidatesDir = `${root}tmp/classifier-candidates/`;

interface Candidate {
  name: string;
  kind: string;
  description: string;
  modelsDir: string;
  model: string;
  /** How it was built. */
  build: string;
}

const trainPy = (args: string, id: string) => `/usr/bin/python3.11 scripts/classifier/train.py .cache/classifier/data .cache/classifier/runs/X --threads 1 ${args}; node bin/run-ts.mjs scripts/train.ts --build .cache/classifier/runs/X --models-dir tmp/classifier-candidates --id ${id}`;
const CANDIDATES: Candidate[] = [
  { name: '(a) 1.4.0 as shipped', kind: 'charngram', description: 'our TS trainer, synthetic corpus only: hashed char n-gram embeddings, linear softmax, worst window of 20 tokens', modelsDir: MODELS_DIR, model: BASELINE_MODEL_ID, build: 'models/ (as shipped)' },
  { name: '(b) TS trainer + real data', kind: 'charngram', description: 'the 1.4.0 recipe (scripts/train-charngram.ts) with the real training texts added, every window of a COLD offensive comment labelled vulgar', modelsDir: candidatesDir, model: 'lastgate-zh-charngram-1.5.0-real', build: 'node bin/run-ts.mjs scripts/train-charngram.ts --real --version 1.5.0-real --out tmp/classifier-candidates' },
  { name: '(c1) torch linear', kind: 'window', description: 'torch, the same features (dim 16), window mean → labels, worst-window training', modelsDir: candidatesDir, model: 'lastgate-zh-charlinear-0.9.0', build: trainPy('--arch linear --dim 16 --row-drop 0.5 --bad-weight 2 --epochs 3', 'lastgate-zh-charlinear-0.9.0') },
  { name: '(c2) torch fastText + hidden layer, seed 13', kind: 'window', description: 'torch, dim 32, window mean → 64 ReLU → labels', modelsDir: candidatesDir, model: 'lastgate-zh-charft-0.9.0', build: trainPy('--arch ft --row-drop 0.5 --bad-weight 2 --epochs 3 --seed 13', 'lastgate-zh-charft-0.9.0') },
  { name: '(c2) torch fastText + hidden layer, seed 14', kind: 'window', description: 'the same, seed 14', modelsDir: candidatesDir, model: 'lastgate-zh-charft-0.9.1', build: trainPy('--arch ft --row-drop 0.5 --bad-weight 2 --epochs 3 --seed 14', 'lastgate-zh-charft-0.9.1') },
  { name: '(c2) shipped 2.0.0: seed 14, 1 % empty clean texts added, table in float16', kind: 'window', description: 'the same, with empty texts in training (an emoji-only post scored political before) and the embedding table stored in float16', modelsDir: MODELS_DIR, model: MODEL_ID, build: 'npm run train' },
  { name: '(c3) torch char CNN, seed 13', kind: 'window', description: 'torch, dim 32, convolution (kernel 3, 64 channels, ReLU), max over the window → labels', modelsDir: candidatesDir, model: 'lastgate-zh-charcnn-0.9.0', build: trainPy('--arch cnn --row-drop 0.5 --bad-weight 2 --epochs 3 --seed 13', 'lastgate-zh-charcnn-0.9.0') },
  { name: '(c3) torch char CNN, seed 14', kind: 'window', description: 'the same, seed 14', modelsDir: candidatesDir, model: 'lastgate-zh-charcnn-0.9.1', build: trainPy('--arch cnn --row-drop 0.5 --bad-weight 2 --epochs 3 --seed 14', 'lastgate-zh-charcnn-0.9.1') },
];

const SELECTION = 'Choice: the fastText-style model (c2) and the CNN (c3) are level within the spread of a seed (0.01–0.03 of objective; c2 0.792 and 0.820, c3 0.783 and 0.799), and c2 is about twice as fast, so c2 was chosen, with seed 14, the better on dev. Two changes followed, both checked on dev only: 1 % empty clean texts in training (the model had no notion of a text without any token, and scored an emoji-only post political), which redraws the random order of training and gave 0.802, and the embedding table in float16 (half the file, logits within 3e-4, the same dev decisions). The torch models beat both n-gram models of our own trainer, above all on COLD (AUC 0.93–0.94 against 0.59 for 1.4.0) and on the official paragraphs. The categorised lexicons were not used: they are noisy lists (leaders\' names, plain words), and the real data already covers the one real category there is (vulgar).';

const dev = readTuningTexts(['dev']);
const seedTexts = readdirSync(SEEDS_DIR).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(join(SEEDS_DIR, f), 'utf8'));
const out: Array<Candidate & { dev: Comparison; decision: Figures & { margin: number; temperature: number; coefficient: number; thresholds: number[] }; onnxMB: number; speedRatio?: number }> = [];
const speedTexts = benchPosts(1024);
const speed = new Map<string, number[]>();
for (const c of CANDIDATES) {
  const dir = `${c.modelsDir}${c.model}/`;
  if (!existsSync(dir)) {
    console.warn(`skipped ${c.name}: ${dir} is missing (${c.build})`);
    continue;
  }
  const classifier = await loadClassifier({ modelsDir: c.modelsDir, model: c.model });
  const results = await classifier.classify(dev.map((t) => t.text));
  const comparison = compare(dev, results);
  let decision;
  const card = JSON.parse(readFileSync(`${dir}lastgate.json`, 'utf8')) as { format?: string; validation: { figures: Figures; decision: { margin: number; coefficient: number; thresholds: Record<string, { review: number }> }; temperature: number } };
  if (card.format === 'window-logits') {
    const v = card.validation;
    decision = { ...v.figures, margin: v.decision.margin, temperature: v.temperature, coefficient: v.decision.coefficient, thresholds: [0, ...LABELS.slice(1).map((l) => v.decision.thresholds[l]!.review)] };
  } else {
    const seeds = await classifier.classify(seedTexts);
    const logp = (r: (typeof results)[number]) => LABELS.map((l) => Math.log(Math.max(r.scores?.[l] ?? 0, 1e-12)));
    const items: DevItem[] = [...dev.map((t, i) => ({ set: t.set, gold: t.label, z: logp(results[i]!), windows: 1 })), ...seeds.map((r) => ({ set: 'seed' as const, gold: 0, z: logp(r), windows: 1 }))];
    const temperature = fitTemperature(items);
    const choice = chooseDecision(items, temperature, 0, OFFICIAL_BUDGET);
    if (!choice) throw new Error(`${c.name}: no decision keeps the official paragraphs within the budget`);
    decision = { ...choice.figures, margin: choice.decision.margin, temperature, coefficient: 0, thresholds: choice.decision.thresholds };
  }
  const onnxMB = statSync(`${dir}onnx/model.onnx`).size / 1e6;
  speed.set(c.model, []);
  out.push({ ...c, dev: comparison, decision, onnxMB });
  const d = decision;
  console.log(`${c.name}: objective ${d.objective.toFixed(4)}, official ${(d.officialRaised * 100).toFixed(2)} %, COLD R ${d.coldRecall.toFixed(3)} FP ${d.coldCleanRaised.toFixed(3)}, synthetic recall ${d.syntheticMeanRecall.toFixed(3)} (clean raised ${d.syntheticCleanRaised.toFixed(3)}), COLD AUC ${comparison.coldAuc?.toFixed(3)}, ${onnxMB.toFixed(1)} MB`);
}
// Throughput of 500-character posts relative to 1.4.0, in this one process: passes of the models alternate.
const loaded = await Promise.all(out.map((c) => loadClassifier({ modelsDir: c.modelsDir, model: c.model })));
for (const c of loaded) await c.classify(speedTexts.slice(0, 64));
for (let pass = 0; pass < 5; pass++) {
  for (const [k, c] of loaded.entries()) {
    const t0 = performance.now();
    for (let b = 0; b < speedTexts.length; b += 64) await c.classify(speedTexts.slice(b, b + 64));
    speed.get(out[k]!.model)!.push(speedTexts.length / ((performance.now() - t0) / 1000));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const baseline = median(speed.get(BASELINE_MODEL_ID) ?? [NaN]);
for (const c of out) c.speedRatio = Math.round((median(speed.get(c.model)!) / baseline) * 100) / 100;
console.log(`speed (posts/s, median of 5 passes, load ${loadavg()[0]!.toFixed(2)}): ${out.map((c) => `${c.model} ${Math.round(median(speed.get(c.model)!))}`).join(', ')}`);

writeFileSync(
  `${root}scripts/classifier/candidates.json`,
  JSON.stringify(
    {
      note: `Candidates compared on dev only (the dev half of COLD dev, 15 % of the official documents, synthetic dev.jsonl; scripts/classifier/candidates.ts, through the served path). "Decision" is each model's own decision under one rule (src/classifier/calibration.ts): at most ${OFFICIAL_BUDGET * 100} % of the official dev paragraphs raised, seeds clean, then the best objective = mean(synthetic recall with the right label, COLD recall) − mean(synthetic clean raised, COLD clean raised). The 1.x models get that rule applied to their served probabilities. The margin columns shift the clean logit until 0.5 % of the official dev paragraphs are not clean (no thresholds).`,
      selection: SELECTION,
      candidates: out,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote scripts/classifier/candidates.json (${out.length} candidates)`);
