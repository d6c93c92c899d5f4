/**
 * Step 1 of `npm run train`: the vocabulary and the tokenised training data
 * for the Python trainer (scripts/classifier/train.py).
 *
 * - the vocabulary: every token of the training texts (all three sets, train
 *   part only) seen at least `minCount` times, counted on the simplified form
 *   of the text, written as tokenizer.json / tokenizer_config.json
 *   (tokenizer.ts; traditional characters become aliases of their simplified
 *   id);
 * - `dataset.jsonl`: one line per train or dev text, tokenised by the served
 *   tokenizer (char-tokenizer.ts), so the trainer sees exactly the ids serving
 *   will: `{id, set, part, label, ids, spans?, document?}`; `spans` are the token
 *   spans of a synthetic bad post's label-bearing sentences.
 *
 * Nothing of the real holdout or the synthetic test split is read.
 *
 *     node bin/run-ts.mjs scripts/classifier/dataset.ts OUT_DIR [--min-count N]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildTokenizerFiles, buildVocabulary } from '../../src/classifier/tokenizer.js';
import { CharTokenizer } from '../../src/classifier/char-tokenizer.js';
import { MAX_TOKENS } from '../../src/classifier/chunking.js';
import { readTuningTexts, simplified, tokenSpan, type LabelledText } from '../../src/classifier/training-data.js';

export interface DatasetSummary {
  vocabulary: number;
  minCount: number;
  /** sha256 (16 hex) of dataset.jsonl. */
  digest: string;
  counts: Record<string, Record<string, number[]>>;
}

export function prepareDataset(outDir: string, minCount = 3): DatasetSummary {
  const dir = outDir.endsWith('/') ? outDir : `${outDir}/`;
  mkdirSync(dir, { recursive: true });
  const texts = readTuningTexts(['train', 'dev']);
  const vocab = buildVocabulary(texts.filter((t) => t.part === 'train').map((t) => simplified(t.text)), minCount);
  const files = buildTokenizerFiles(vocab, MAX_TOKENS);
  for (const [name, json] of Object.entries(files)) writeFileSync(`${dir}${name}`, JSON.stringify(json));
  const tokenizer = new CharTokenizer((files['tokenizer.json'] as { model: { vocab: Record<string, number> } }).model.vocab);
  const counts: DatasetSummary['counts'] = {};
  const lines: string[] = [];
  for (const t of texts) {
    const enc = tokenizer.encode(t.text);
    const row: Record<string, unknown> = { id: t.id, set: t.set, part: t.part, label: t.label, ids: Array.from(enc.ids) };
    if (t.evidence) row.spans = t.evidence.map((s) => tokenSpan(enc, s));
    if (t.document) row.document = t.document;
    lines.push(JSON.stringify(row));
    const byLabel = ((counts[t.set] ??= {})[t.part] ??= new Array<number>(6).fill(0));
    byLabel[t.label]!++;
  }
  const body = lines.join('\n') + '\n';
  writeFileSync(`${dir}dataset.jsonl`, body);
  return { vocabulary: vocab.length, minCount, digest: createHash('sha256').update(body).digest('hex').slice(0, 16), counts };
}

export type { LabelledText };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'min-count': { type: 'string', default: '3' } } });
  if (positionals.length !== 1) throw new Error('usage: dataset.ts OUT_DIR [--min-count N]');
  const summary = prepareDataset(positionals[0]!, Number(values['min-count']));
  console.log(JSON.stringify(summary));
}
