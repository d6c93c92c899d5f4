/** Reads the labelled corpus in `data/corpus/` (JSON Lines, one post per line). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

export const CORPUS_DIR = fileURLToPath(new URL('../../data/corpus/', import.meta.url));

export interface CorpusExample {
  id: string;
  split: CorpusSplit;
  label: string;
  source: string;
  text: string;
  /** Bad posts: [start, end) offsets of the sentence(s) that carry the label. */
  evidence?: Array<[number, number]>;
}

/** `train` fits the weights; `dev` chooses hyperparameters, temperature, clean margin and thresholds; `test` is read only by `npm run eval`. */
export type CorpusSplit = 'train' | 'dev' | 'test';

export function readCorpus(split: CorpusSplit, dir = CORPUS_DIR): CorpusExample[] {
  return readFileSync(`${dir}${split}.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusExample);
}

export function corpusDigest(splits: readonly CorpusSplit[] = ['train', 'dev'], dir = CORPUS_DIR): string {
  const h = createHash('sha256');
  for (const split of splits) h.update(readFileSync(`${dir}${split}.jsonl`));
  return h.digest('hex').slice(0, 16);
}
