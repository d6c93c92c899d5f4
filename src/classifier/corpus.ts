/** Reads the labelled corpus in `data/corpus/` (JSON Lines, one post per line). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

export const CORPUS_DIR = fileURLToPath(new URL('../../data/corpus/', import.meta.url));

export interface CorpusExample {
  id: string;
  split: 'train' | 'test';
  label: string;
  source: string;
  text: string;
}

export function readCorpus(split: 'train' | 'test', dir = CORPUS_DIR): CorpusExample[] {
  return readFileSync(`${dir}${split}.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusExample);
}

/**
 * Deterministic validation carve-out of the training split: an example goes to
 * validation when the hash of its id falls in the first `fraction` of the range.
 */
export function isValidation(id: string, fraction = 0.1): boolean {
  const h = createHash('sha256').update(id).digest().readUInt32BE(0);
  return h / 2 ** 32 < fraction;
}

export function corpusDigest(dir = CORPUS_DIR): string {
  const h = createHash('sha256');
  for (const split of ['train', 'test'] as const) h.update(readFileSync(`${dir}${split}.jsonl`));
  return h.digest('hex').slice(0, 16);
}
