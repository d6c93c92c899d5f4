/**
 * `npm run eval`: scores the held-out test split (data/corpus/test.jsonl)
 * through the served classifier (`loadClassifier`, i.e. transformers.js and the
 * ONNX graph, chunking included), prints per-label precision / recall / F1,
 * the confusion matrix and calibration, checks the seed documents, and writes
 * EVALUATION.md.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadClassifier } from '../src/classifier/index.js';
import { readCorpus } from '../src/classifier/corpus.js';
import { LABELS, MODEL_ID, MODELS_DIR, type ModelCard } from '../src/classifier/model-files.js';
import { accuracy, calibration, confusionMatrix, macroF1, perLabel, thresholdCurve, type Prediction } from '../src/classifier/metrics.js';
import { BLOCK_FLOOR, BLOCK_MIN_FLAGGED, BLOCK_PRECISION, BLOCKING_LABELS, REVIEW_FLOOR, REVIEW_PRECISION } from '../src/classifier/thresholds.js';
import { DEFAULT_VERDICT_POLICY } from '../src/review/verdict.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Every time the held-out split has been scored, oldest first. Append a line
 * (never rewrite one) before running `npm run eval` on a new model or again.
 */
const TEST_SCORINGS: Array<{ model: string; note: string }> = [
  { model: 'lastgate-zh-charngram-1.1.0', note: 'once, after every choice was made on dev' },
  { model: 'lastgate-zh-charngram-1.2.0', note: 'once, after every choice was made on dev, where about 25 training configurations and the training-only templates were compared and revised first' },
  { model: 'lastgate-zh-charngram-1.3.0', note: 'once, the same weights as 1.2.0 with a length-aware decision (clean margin and length coefficient chosen on dev and long documents built from dev posts, one approach tried)' },
  { model: 'lastgate-zh-charngram-1.4.0', note: 'once, after every choice was made on dev: corpus 1.3 (817 training-only templates by authors who read neither dev nor test, a training split of 29,000 posts), 2^19 hash buckets, and a clean margin whose dev clean precision reaches 0.97 with 95 % confidence; seven training configurations were compared on dev first (this file)' },
];
if (TEST_SCORINGS.at(-1)!.model !== MODEL_ID) throw new Error(`record this scoring of ${MODEL_ID} in TEST_SCORINGS first`);
const seedsDir = `${root}../shared/seeds/`;
const card = JSON.parse(readFileSync(`${MODELS_DIR}${MODEL_ID}/lastgate.json`, 'utf8')) as ModelCard;

const test = readCorpus('test');
const classifier = await loadClassifier();
const t0 = performance.now();
const results = await classifier.classify(test.map((e) => e.text));
const seconds = (performance.now() - t0) / 1000;
const index = new Map<string, number>(LABELS.map((l, i) => [l, i]));
const preds: Prediction[] = test.map((e, i) => ({ gold: index.get(e.label)!, probs: LABELS.map((l) => results[i]!.scores?.[l] ?? 0) }));
const confusion = confusionMatrix(preds, LABELS.length);
const metrics = perLabel(confusion, LABELS);
const macro = macroF1(metrics);
const cal = calibration(preds);
const cleanPrecision = metrics[0]!.precision;

let seedFiles: string[] = [];
try {
  seedFiles = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort();
} catch {
  console.warn(`no seed documents at ${seedsDir}`);
}
const seedResults = await classifier.classify(seedFiles.map((f) => readFileSync(`${seedsDir}${f}`, 'utf8')));

// Posts whose label-bearing term was never in training (data/corpus/test-unseen-terms.jsonl).
const unseen = readFileSync(`${root}data/corpus/test-unseen-terms.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { label: string; text: string });
const unseenResults = await classifier.classify(unseen.map((e) => e.text));
const unseenFlagged = unseenResults.filter((r) => r.label !== 'clean').length;
const unseenCorrect = unseenResults.filter((r, i) => r.label === unseen[i]!.label).length;

const hardSources = test.filter((e) => e.source.startsWith('hard.'));
const hardIdx = new Set(hardSources.map((e) => e.id));
const hardCorrect = test.filter((e, i) => hardIdx.has(e.id) && results[i]!.label === 'clean').length;
const errors = test.map((e, i) => ({ e, r: results[i]! })).filter(({ e, r }) => e.label !== r.label);

const grid = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
const pct = (x: number) => (x * 100).toFixed(1);
const f3 = (x: number) => x.toFixed(3);
const lines: string[] = [];
const out = (s = '') => lines.push(s);

out('# Classifier evaluation');
out();
const lengthCoefficient = card.lengthCorrection?.coefficient ?? 0;
out(`Model \`${MODEL_ID}\` (character + hashed bigram/trigram embeddings → linear softmax over every window of ${card.window} token positions, the worst window counts${lengthCoefficient ? `, and its clean logit is raised by ${lengthCoefficient} · ln(windows scored) so a long text is not flagged only for being long` : ''}; see \`src/classifier/\`),`);
out(`scored through the served path (\`loadClassifier()\`: transformers.js pipeline on the ONNX graph; texts over ${card.chunkChars} characters are cut into overlapping chunks, the worst chunk counts).`);
out(`Held-out split: \`data/corpus/test.jsonl\`, ${test.length} posts; no test template or test-reserved slot value was used in training or in model selection (see data/corpus/README.md). Hyperparameters, temperature, clean margin, length correction and thresholds were chosen on the separate dev split (and long documents built from dev posts); this file is the only place the test split is scored.`);
out();
out(`**How often the test split has been scored:** ${TEST_SCORINGS.length} times in all (${TEST_SCORINGS.map((t) => t.model + ': ' + t.note).join('; ')}). \`test.jsonl\` is byte for byte the file 1.1.0 was scored on. Nothing about the model, its margin or its thresholds was changed after the scoring recorded here.`);
out(`Regenerate with \`npm run eval\`. Scoring the split took ${seconds.toFixed(2)} s.`);
out();
out('## Targets');
out();
out('| target | required | measured | |');
out('|---|---|---|---|');
out(`| macro-F1 (held-out) | ≥ 0.90 | ${f3(macro)} | ${macro >= 0.9 ? 'met' : '**missed**'} |`);
out(`| precision of \`clean\` (held-out) | ≥ 0.97 | ${f3(cleanPrecision)} | ${cleanPrecision >= 0.97 ? 'met' : '**missed**'} |`);
const seedsClean = seedResults.length > 0 && seedResults.every((r) => r.label === 'clean');
out(`| seed documents score clean | ${seedFiles.length} of ${seedFiles.length} | ${seedResults.filter((r) => r.label === 'clean').length} of ${seedFiles.length} | ${seedsClean ? 'met' : '**missed**'} |`);
out();
if (cleanPrecision < 0.97) {
  const calledClean = confusion.reduce((n, row, i) => n + (i === 0 ? 0 : row[0]!), 0);
  const allowed = Math.floor(confusion[0]![0]! * (1 / 0.97 - 1));
  out(`Clean precision misses its target: ${calledClean} of ${test.length - metrics[0]!.support} bad posts are called clean (${LABELS.slice(1).map((l, i) => `${l} ${confusion[i + 1]![0]}`).join(', ')}); with ${confusion[0]![0]} clean posts recognised, at most ${allowed} may be.`);
  out();
}
{
  type Trial = { margin: number; macroF1: number; cleanPrecision: number; cleanPrecisionLow?: number; seedsClean: boolean };
  const trials = ((card.validation as { marginTrials?: Trial[] }).marginTrials ?? []).slice().sort((a, b) => a.margin - b.margin);
  const at = trials.find((t) => t.margin === card.cleanMargin);
  const below = trials.filter((t) => t.margin < card.cleanMargin).at(-1);
  const bestF1 = trials.filter((t) => t.seedsClean).reduce<Trial | null>((b, t) => (b === null || t.macroF1 > b.macroF1 ? t : b), null);
  if (at && bestF1) {
    out(`The clean margin trades the two targets against each other (dev, model selection): at the chosen ${at.margin}, dev macro-F1 ${f3(at.macroF1)} and clean precision ${f3(at.cleanPrecision)}` +
      (at.cleanPrecisionLow !== undefined ? ` (95 % lower bound ${f3(at.cleanPrecisionLow)}, which the selection rule asks to reach 0.97)` : '') +
      (below ? `; one step stricter (${below.margin}) ${f3(below.macroF1)} / ${f3(below.cleanPrecision)}${below.seedsClean ? '' : ', but a seed document would keep less than the required room over the next label'}` : '') +
      `; the margin with the best dev macro-F1 (${bestF1.margin}) gives ${f3(bestF1.macroF1)} / ${f3(bestF1.cleanPrecision)}.`);
    out();
  }
}
const v = card.validation as { examples: number; macroF1: number; perLabel: Array<{ label: string; precision: number; recall: number; f1: number; support: number }> };
out('## Dev split (model selection)');
out();
const refitted = (card.train as { refitOnTrainAndDev?: boolean }).refitOnTrainAndDev;
out(`\`data/corpus/dev.jsonl\`, ${v.examples} posts with held-out templates and slot values of their own, scored by ${refitted ? 'the model trained on the training split only (before the final refit on train + dev)' : 'the shipped model itself (trained on the training split only; dev never trained it)'}: macro-F1 ${f3(v.macroF1)}, precision of \`clean\` ${f3(v.perLabel[0]!.precision)}. Per label F1: ${v.perLabel.map((m) => `${m.label} ${f3(m.f1)}`).join(', ')}. These figures chose the hyperparameters, the size of the training split, whether to keep each batch of training-only templates, the clean margin and the length coefficient (see data/corpus/README.md and scripts/train.ts), so they are optimistic; the test figures are the ones to quote.`);
out();
{
  type LengthTrial = { coefficient: number; margin: number; devBadFlagged: number; longBadCaught: number; longCleanClean: number; longOrdinaryClean: number };
  const length = (card.validation as { length?: { chosen: LengthTrial; perCoefficient: Array<Partial<LengthTrial>> } }).length;
  const none = length?.perCoefficient.find((t) => t.coefficient === 0);
  if (length) {
    const c = length.chosen;
    out(`Long documents built from dev posts (1,000–10,000 characters, see data/corpus/README.md): with coefficient ${c.coefficient} and margin ${c.margin}, ${pct(c.longBadCaught)} % of those holding one dev bad post are flagged (dev bad posts alone: ${pct(c.devBadFlagged)} %), and ${pct(c.longCleanClean)} % of the clean ones (${pct(c.longOrdinaryClean)} % of those without hard negatives) score clean` +
      (none?.longCleanClean !== undefined ? ` (without a length correction, margin ${none.margin}: ${pct(none.longCleanClean)} % and ${pct(none.longOrdinaryClean!)} %)` : '') + '.');
    out();
  }
}
out('## Per label (held-out)');
out();
out('| label | precision | recall | F1 | support |');
out('|---|---|---|---|---|');
for (const m of metrics) out(`| ${m.label} | ${f3(m.precision)} | ${f3(m.recall)} | ${f3(m.f1)} | ${m.support} |`);
out(`| **macro** | | | **${f3(macro)}** | ${test.length} |`);
out();
out(`Accuracy ${f3(accuracy(confusion))}. Hard negatives (clean posts built to look bad: anti-fraud and anti-gambling warnings, correct leader names, confidentiality duties, masked IDs, policy "最" wording, disability terms, cross-strait wording): ${hardCorrect} of ${hardSources.length} scored clean.`);
out();
out(`Unseen terms (\`data/corpus/test-unseen-terms.jsonl\`, ${unseen.length} bad posts whose insult, gambling term, secrecy mark, wrong name… never occurs in training): ${unseenFlagged} flagged as not clean (${pct(unseenFlagged / Math.max(unseen.length, 1))} %), ${unseenCorrect} with the right label. This is the honest figure for vocabulary the model was never taught.`);
out();
out('## Confusion matrix (held-out; rows = true label, columns = predicted)');
out();
out(`| | ${LABELS.join(' | ')} |`);
out(`|---|${LABELS.map(() => '---').join('|')}|`);
confusion.forEach((row, i) => out(`| **${LABELS[i]}** | ${row.join(' | ')} |`));
out();
out('## Calibration (held-out, top-label probability)');
out();
out(`Expected calibration error ${f3(cal.ece)}; temperature ${card.temperature}, clean-logit margin ${card.cleanMargin}, length coefficient ${lengthCoefficient} (chosen on dev: margin and coefficient by the rule in scripts/train.ts, which puts the dev targets first (clean precision with 95 % confidence), keeps both seed documents clean with room to spare and long documents with a bad paragraph caught).`);
out();
out('| confidence | posts | mean confidence | accuracy |');
out('|---|---|---|---|');
for (const b of cal.bins) if (b.count > 0) out(`| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.count} | ${f3(b.confidence)} | ${f3(b.accuracy)} |`);
out();
out('## Threshold curves');
out();
out('One-vs-rest precision / recall when a post is flagged as soon as the label is the top label and its probability reaches the threshold (the rule `decideVerdict` applies).');
out();
out(`Defaults in \`src/review/verdict.ts\` come from the **dev** curve (${(card.validation as { examples: number }).examples} dev posts, stored in \`models/${MODEL_ID}/lastgate.json\`), by the rule in \`src/classifier/thresholds.ts\`: review at the lowest threshold with dev precision ≥ ${REVIEW_PRECISION} (never below ${REVIEW_FLOOR}); block only for ${BLOCKING_LABELS.join(' and ')} (whose rule findings block by default), at the lowest threshold with dev precision ≥ ${BLOCK_PRECISION} over at least ${BLOCK_MIN_FLAGGED} flagged posts (never below ${BLOCK_FLOOR}). The held-out curve below is shown to check them, not to choose them.`);
out();
out('| label | default review | default block | ' + grid.map((t) => `P/R @${t}`).join(' | ') + ' |');
out('|---|---|---|' + grid.map(() => '---').join('|') + '|');
for (const label of LABELS.slice(1)) {
  const curve = thresholdCurve(preds, index.get(label)!, grid);
  const d = DEFAULT_VERDICT_POLICY.classifier[label];
  out(`| ${label} | ${d?.review ?? '—'} | ${d?.block ?? '—'} | ` + curve.map((p) => `${pct(p.precision)}/${pct(p.recall)}`).join(' | ') + ' |');
}
out();
out('## Seed documents');
out();
out('| document | label | score | p(clean) |');
out('|---|---|---|---|');
seedFiles.forEach((f, i) => out(`| shared/seeds/${f} | ${seedResults[i]!.label} | ${f3(seedResults[i]!.score)} | ${f3(seedResults[i]!.scores?.clean ?? 0)} |`));
out();
out('## Errors (held-out, first 15)');
out();
out('| true | predicted | score | source | text |');
out('|---|---|---|---|---|');
for (const { e, r } of errors.slice(0, 15)) out(`| ${e.label} | ${r.label} | ${f3(r.score)} | ${e.source} | ${e.text.replace(/\s+/g, ' ').replace(/\|/g, '｜').slice(0, 80)}… |`);
out();
out('## Limits');
out();
out('- The corpus is synthetic (templates + slot vocabulary written for this project, see data/corpus/README.md). Held-out templates measure generalisation to new sentence shapes, names and some new terms, not to real posts; expect lower figures on real traffic. The seed documents are the only real texts checked.');
out('- Errors come in template-sized clusters: each held-out template is used by a dozen or more posts, so one sentence shape the model misreads (a new way to leak, a look-alike clean sentence) moves a whole label by several points. Test and dev figures differ by a few points for that reason alone.');
out(`- The vocabulary holds the ${(card.train as { vocabulary: number }).vocabulary} tokens of the ${refitted ? 'training and dev posts (the final refit saw both)' : 'training posts'}; any other character is [UNK] and carries no evidence. Background windows of common words (jieba's dictionary) teach the model that ordinary words are neutral, but a model trained from scratch still knows no label-bearing word it was never shown (see the unseen-terms figure). The rule engine, not the classifier, is the first line for known terms and evasion spellings.`);
out(`- The model is a bag of n-grams over windows of ${card.window} token positions (about one clause or short sentence): a warning whose "don't" is more than a window away from the term it warns against can score as the real thing, and a bad sentence longer than a window is judged by its worst part.`);
out('- A single character or two can get an extreme score (e.g. "赌" alone scores illegal): there is too little text for the average to mean much.');
out('- Scores are probabilities of a linear model with a temperature, a clean-logit margin and a length correction chosen on dev; the held-out calibration table above is the one to trust. Long clean documents built from dev posts are still flagged more often than short posts (see the dev section): a long text has more chances to hold one sentence the model misreads.');

writeFileSync(`${root}EVALUATION.md`, lines.join('\n') + '\n');
console.log(lines.slice(0, lines.indexOf('## Threshold curves')).join('\n'));
console.log(`wrote ${root}EVALUATION.md`);
