/**
 * Input of the window models (2.x, trained by scripts/classifier/train.py):
 * per token position three rows of one embedding table, the character, the
 * bigram and the trigram starting there (0 = [PAD], a zero row, when the text
 * ends first), with V the vocabulary size and B = 2^bits the hash buckets:
 *
 *   row(character a)    = a
 *   h                   = (a·V + b) · 0x9E3779B1  mod 2^32
 *   row(bigram a b)     = V + (h >> (32 − bits))
 *   row(trigram a b c)  = V + (((h xor c) · 0x85EBCA6B  mod 2^32) >> (32 − bits))
 *
 * (multiplicative hashing, top bits; Math.imul in JavaScript, uint64
 * arithmetic masked to 32 bits in `ngram_rows` of train.py, which a test
 * checks against this file). The graph scores windows of `window` positions
 * starting every `stride` positions: a text of n tokens is scored over
 * {@link windowsOf}(n) windows, the last one holding its last token.
 */

export interface WindowShape {
  vocabSize: number;
  buckets: number;
  window: number;
  stride: number;
}

export const HASH_MULTIPLIERS = { bigram: 0x9e3779b1, trigram: 0x85ebca6b } as const;

/** log2 of the bucket count (which must be a power of two, at most 2^24). */
export function bucketBits(buckets: number): number {
  const bits = Math.log2(buckets);
  if (!Number.isInteger(bits) || bits < 1 || bits > 24) throw new Error(`buckets must be a power of two up to 2^24, not ${buckets}`);
  return bits;
}

/** Rows of `ids` into `out` at `offset` (3 per position). */
export function ngramRowsInto(ids: Int32Array, vocab: number, buckets: number, out: Int32Array, offset = 0): void {
  if (vocab > 65_535) throw new Error('the hash needs a vocabulary below 65,536 tokens');
  const shift = 32 - bucketBits(buckets);
  const n = ids.length;
  for (let t = 0; t < n; t++) {
    const o = offset + 3 * t;
    const a = ids[t]!;
    out[o] = a;
    if (t + 1 < n) {
      const h = Math.imul(a * vocab + ids[t + 1]!, HASH_MULTIPLIERS.bigram);
      out[o + 1] = vocab + (h >>> shift);
      out[o + 2] = t + 2 < n ? vocab + (Math.imul(h ^ ids[t + 2]!, HASH_MULTIPLIERS.trigram) >>> shift) : 0;
    } else {
      out[o + 1] = 0;
      out[o + 2] = 0;
    }
  }
}

export function ngramRows(ids: Int32Array, vocab: number, buckets: number): Int32Array {
  const out = new Int32Array(ids.length * 3);
  ngramRowsInto(ids, vocab, buckets, out);
  return out;
}

/** Windows a text of n tokens is scored over (at least one, even for an empty text). */
export function windowsOf(n: number, window: number, stride: number): number {
  return n <= window ? 1 : 1 + Math.ceil((n - window) / stride);
}

/** Positions the graph needs for `windows` windows. */
export function positionsFor(windows: number, window: number, stride: number): number {
  return window + (windows - 1) * stride;
}
