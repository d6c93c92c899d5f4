/**
 * The model's features, defined once for the trainer (TypeScript) and the
 * exported ONNX graph: every character id, plus hashed character bigrams and
 * trigrams, each a row of one embedding table.
 *
 *   row(unigram a)      = a
 *   s                   = (a·K1 + b) mod M
 *   row(bigram a b)     = V + s mod B
 *   row(trigram a b c)  = V + (s·K2 + c) mod B
 *
 * V is the character vocabulary size and B the number of hash buckets. All
 * intermediate values stay below 2^53, so JavaScript numbers and the graph's
 * int64 arithmetic agree exactly.
 */
export const HASH = {
  K1: 1_000_003,
  K2: 1_000_033,
  M: 2_147_483_647,
} as const;

export interface FeatureShape {
  vocabSize: number;
  buckets: number;
}

/** Embedding-table rows of one text's token ids (duplicates kept: the model averages them). */
export function featureRows(ids: ArrayLike<number>, shape: FeatureShape): Int32Array {
  const n = ids.length;
  const rows = new Int32Array(n + Math.max(0, n - 1) + Math.max(0, n - 2));
  const { vocabSize: V, buckets: B } = shape;
  let k = 0;
  for (let i = 0; i < n; i++) rows[k++] = ids[i]!;
  for (let i = 0; i + 1 < n; i++) {
    const s = (ids[i]! * HASH.K1 + ids[i + 1]!) % HASH.M;
    rows[k++] = V + (s % B);
    if (i + 2 < n) rows[n + (n - 1) + i] = V + ((s * HASH.K2 + ids[i + 2]!) % B);
  }
  return rows;
}
