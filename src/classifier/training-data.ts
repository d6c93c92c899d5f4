/**
 * The labelled texts the classifier is trained and tuned on, from our
 * synthetic corpus (data/corpus/) and the real texts of ../shared/data/
 * (src/evaluation/real-data.ts), with the one split every figure uses:
 *
 * | set | label | train | dev |
 * |---|---|---|---|
 * | `synthetic` | its label (the only source of secret / political / illegal / ads) | train.jsonl | dev.jsonl |
 * | `cold` | offensive → `vulgar`, not offensive → `clean` | cold/train.jsonl | first half of cold/dev.jsonl |
 * | `official` | `clean` (paragraphs of real official documents) | 60 % of the documents | 15 % |
 *
 * The real holdout part (the other half of COLD dev, 25 % of the official
 * documents) and the synthetic test split are never returned here:
 * only scripts/eval.ts reads them.
 */
import * as OpenCC from 'opencc-js';
import { readCorpus } from './corpus.js';
import { LABELS } from './model-files.js';
import { readCold, readOfficial, type Part } from '../evaluation/real-data.js';
import type { Encoding } from './char-tokenizer.js';

export type TextSet = 'synthetic' | 'cold' | 'official';
export type TuningPart = Exclude<Part, 'holdout'>;

export interface LabelledText {
  /** Unique across sets: the corpus id or the real text's id. */
  id: string;
  set: TextSet;
  part: TuningPart;
  label: number;
  text: string;
  /** Synthetic bad posts: [start, end) character offsets of the label-bearing sentence(s). */
  evidence?: Array<[number, number]>;
  /** Official paragraphs: the document they belong to. */
  document?: string;
}

const index = new Map<string, number>(LABELS.map((l, i) => [l, i]));

function labelIndex(label: string): number {
  const i = index.get(label);
  if (i === undefined) throw new Error(`unknown label ${label}`);
  return i;
}

/** Training and dev texts of every set (never holdout, never the synthetic test split). */
export function readTuningTexts(parts: readonly TuningPart[] = ['train', 'dev']): LabelledText[] {
  const out: LabelledText[] = [];
  for (const part of parts) {
    for (const e of readCorpus(part)) out.push({ id: e.id, set: 'synthetic', part, label: labelIndex(e.label), text: e.text, ...(e.evidence ? { evidence: e.evidence } : {}) });
  }
  const wanted = new Set<string>(parts);
  for (const c of readCold()) if (wanted.has(c.part)) out.push({ id: c.id, set: 'cold', part: c.part as TuningPart, label: c.offensive ? labelIndex('vulgar') : 0, text: c.text });
  for (const o of readOfficial()) if (wanted.has(o.part)) out.push({ id: o.id, set: 'official', part: o.part as TuningPart, label: 0, text: o.body, document: o.document });
  return out;
}

let toSimplified: ((s: string) => string) | null = null;

/** Traditional → simplified (OpenCC tw → cn), for counting the vocabulary on simplified forms. */
export function simplified(text: string): string {
  const convert = (toSimplified ??= OpenCC.Converter({ from: 'tw', to: 'cn' }));
  return convert(text);
}

/** Token span [from, to) of the tokens lying inside the characters [start, end). */
export function tokenSpan(enc: Encoding, [start, end]: readonly [number, number]): [number, number] {
  let from = 0;
  while (from < enc.ids.length && enc.starts[from]! < start) from++;
  let to = from;
  while (to < enc.ids.length && enc.ends[to]! <= end) to++;
  return [from, to];
}
