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

/**
 * Rows owned by each token position: the character at t, the bigram starting
 * at t (when t + 1 < n) and the trigram starting at t (when t + 2 < n). A
 * window of positions [s, s + k) is scored from the mean of the rows of its
 * positions; {@link featureRows} of a text is the union over all positions.
 */
export function positionRows(ids: ArrayLike<number>, shape: FeatureShape): Int32Array[] {
  const n = ids.length;
  const { vocabSize: V, buckets: B } = shape;
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const rows = [ids[i]!];
    if (i + 1 < n) {
      const s = (ids[i]! * HASH.K1 + ids[i + 1]!) % HASH.M;
      rows.push(V + (s % B));
      if (i + 2 < n) rows.push(V + ((s * HASH.K2 + ids[i + 2]!) % B));
    }
    out.push(Int32Array.from(rows));
  }
  return out;
}

/** Rows of the window of positions [start, start + size), clipped to the text. */
export function windowRows(positions: readonly Int32Array[], start: number, size: number): Int32Array {
  const end = Math.min(positions.length, start + size);
  let n = 0;
  for (let i = start; i < end; i++) n += positions[i]!.length;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = start; i < end; i++) {
    out.set(positions[i]!, k);
    k += positions[i]!.length;
  }
  return out;
}

/**
 * Start positions of the windows the served graph compares: every start from
 * 0 to n − size (a text no longer than a window is one window, the whole text).
 */
export function windowStarts(n: number, size: number): number[] {
  return Array.from({ length: Math.max(n - size, 0) + 1 }, (_, i) => i);
}
