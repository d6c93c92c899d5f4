/**
 * Fourth batch (corpus 1.3): more **training-only** material, in files of its
 * own, one per author (`templates-train4-*.ts`), merged by `generate.ts`
 * exactly like the third batch: offered only when a training post is built,
 * after the dev and test splits have been written with the draws of corpus
 * 1.1, so those files stay byte for byte the same.
 *
 * The authors of this batch read neither the dev nor the test split, nor any
 * dev- or test-reserved template or slot value (templates.ts,
 * templates-more.ts and slots.ts were not opened); they wrote from
 * PRODUCT.md, the seed documents' register, the training split and the
 * third batch. `generate.ts` checks that mechanically too: a template whose
 * character trigrams overlap a reserved template by half or more, or a
 * template or slot value that contains a reserved label term, is refused.
 */
export type BadLabel = 'secret' | 'political' | 'illegal' | 'ads' | 'vulgar';
export type HardPool = 'antifraud' | 'antigamble' | 'leaders' | 'confidential' | 'policyAds' | 'civil' | 'officeTalk' | 'crossStrait';
export type CleanTopic =
  | 'jobfair' | 'insurance' | 'pension' | 'skills' | 'talent' | 'hotline' | 'rights' | 'report' | 'startup' | 'workplan' | 'govopen' | 'english';

export interface TrainingBatch {
  /** Label-bearing sentences, by label. */
  bad?: Partial<Record<BadLabel, string[]>>;
  /** Look-alike clean sentences, by hard-negative pool. */
  hard?: Partial<Record<HardPool, string[]>>;
  /** Ordinary clean sentences, by topic. */
  clean?: Partial<Record<CleanTopic, string[]>>;
  /** Training-only slot lists (names must be new: not a name of slots.ts). */
  slots?: Record<string, string[]>;
}
