/**
 * jieba's exact mode without HMM (`cut(text, false)`) in JavaScript, over
 * jieba's own dictionary compiled once and cached on disk. Same algorithm as
 * jieba-rs: text split into blocks of CJK and ASCII alphanumerics (and
 * `+#&._%-`); in a block, every dictionary word starting at each character
 * (the DAG), then the route of greatest total log frequency from the end,
 * ties going to the longer word; single ASCII letters and digits left over
 * run together into one token; characters outside blocks are tokens of one.
 * A test holds it to the native segmenter's answers on real text.
 *
 * Why: loading the native segmenter parses its 5 MB dictionary on every
 * start (200 ms here, more than scanning 2 million characters); the compiled
 * dictionary loads in a few milliseconds, so `lastgate scan` and each worker
 * start at once.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Token edges of a text: `result[i]` is 1 when a token starts or ends at code unit i. */
export type TokenEdges = (text: string) => Uint8Array;

const MAGIC = 'LGSEGD02';

/**
 * The dictionary as the segmenter reads it, all of it typed arrays (cached
 * as they are): words sorted by UTF-16 code units and concatenated, their
 * log frequencies, and two indexes into the sorted order.
 */
interface Compiled {
  words: string;
  /** Word k is words.slice(offs[k], offs[k + 1]). */
  offs: Int32Array;
  logFreq: Float64Array;
  /** [ln(sum of all frequencies)]. */
  logTotal: Float64Array;
  /** Words starting with BMP code unit c: indices first[2c] .. first[2c + 1]. */
  first: Int32Array;
  /**
   * Words starting with a pair of code units, in an open-addressing table
   * (see `pairSlot`): slot j holds the pair (c0 << 16 | c1) in pairKey[j]
   * (-1: empty) and its range in pairRange[2j], pairRange[2j + 1]. Spares
   * the widest binary search of a lookup, the one among all words of a
   * first character.
   */
  pairKey: Int32Array;
  pairRange: Int32Array;
}

const ARRAYS = ['offs', 'logFreq', 'logTotal', 'first', 'pairKey', 'pairRange'] as const;

/** The slot of `key` in a pair table, or the empty slot where it would go. */
function pairSlot(pairKey: Int32Array, key: number): number {
  const mask = pairKey.length - 1;
  let j = (Math.imul(key, 0x9e3779b1) >>> 12) & mask;
  while (pairKey[j] !== -1 && pairKey[j] !== key) j = (j + 1) & mask;
  return j;
}

function compile(dictText: string): Compiled {
  const list: Array<[string, number]> = [];
  const seen = new Map<string, number>();
  for (const line of dictText.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (!parts[0]) continue;
    const f = parts[1] ? Number.parseInt(parts[1], 10) : 0;
    // A repeated word keeps its last frequency, as jieba's loader does.
    const at = seen.get(parts[0]);
    if (at !== undefined) list[at]![1] = f;
    else {
      seen.set(parts[0], list.length);
      list.push([parts[0], f]);
    }
  }
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const n = list.length;
  const offs = new Int32Array(n + 1);
  const logFreq = new Float64Array(n);
  const first = new Int32Array(2 * 65536);
  let total = 0;
  let at = 0;
  list.forEach(([w, f], k) => {
    offs[k] = at;
    logFreq[k] = Math.log(f);
    total += f;
    at += w.length;
    const u = w.charCodeAt(0);
    if (first[2 * u + 1] === 0) first[2 * u] = k;
    first[2 * u + 1] = k + 1;
  });
  offs[n] = at;
  // Words sharing their first two code units sit together in sorted order (a one-unit word sorts before them).
  const pairOf = (w: string) => (w.length < 2 ? -1 : (w.charCodeAt(0) << 16) | w.charCodeAt(1));
  let pairs = 0;
  for (let k = 0, last = -1; k < n; k++) {
    const key = pairOf(list[k]![0]);
    if (key !== -1 && key !== last) pairs++;
    if (key !== -1) last = key;
  }
  let size = 1;
  while (size < pairs * 2) size <<= 1;
  const pairKey = new Int32Array(size).fill(-1);
  const pairRange = new Int32Array(2 * size);
  for (let k = 0; k < n; k++) {
    const key = pairOf(list[k]![0]);
    if (key === -1) continue;
    const j = pairSlot(pairKey, key);
    if (pairKey[j] !== key) {
      pairKey[j] = key;
      pairRange[2 * j] = k;
    }
    pairRange[2 * j + 1] = k + 1;
  }
  return { words: list.map((x) => x[0]).join(''), offs, logFreq, logTotal: Float64Array.of(Math.log(total)), first, pairKey, pairRange };
}

/** Layout: MAGIC, a JSON header of array lengths, then each array (8-byte aligned), then the words as UTF-16. */
function save(file: string, c: Compiled): void {
  const header = Buffer.from(JSON.stringify(Object.fromEntries(ARRAYS.map((k) => [k, c[k].length]))));
  const head = Buffer.alloc(16);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(header.length, 8);
  const parts: Buffer[] = [head, header, Buffer.alloc((8 - ((16 + header.length) % 8)) % 8)];
  for (const k of ARRAYS) {
    parts.push(Buffer.from(c[k].buffer, c[k].byteOffset, c[k].byteLength));
    if (c[k].byteLength % 8) parts.push(Buffer.alloc(8 - (c[k].byteLength % 8)));
  }
  parts.push(Buffer.from(c.words, 'utf16le'));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, Buffer.concat(parts));
  renameSync(tmp, file);
}

function load(file: string): Compiled | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  try {
    if (buf.toString('latin1', 0, 8) !== MAGIC) return null;
    const headerLength = buf.readUInt32LE(8);
    const lengths = JSON.parse(buf.toString('utf8', 16, 16 + headerLength)) as Record<(typeof ARRAYS)[number], number>;
    // One aligned copy of the arrays' bytes, viewed in place.
    let at = 16 + headerLength + ((8 - ((16 + headerLength) % 8)) % 8);
    const start = at;
    const spans: Array<[number, number]> = [];
    for (const k of ARRAYS) {
      const bytes = lengths[k] * (k === 'logFreq' || k === 'logTotal' ? 8 : 4);
      spans.push([at - start, lengths[k]]);
      at += bytes + ((8 - (bytes % 8)) % 8);
    }
    const data = new Uint8Array(at - start);
    data.set(buf.subarray(start, at));
    const view = (i: number) => spans[i]!;
    return {
      offs: new Int32Array(data.buffer, ...view(0)),
      logFreq: new Float64Array(data.buffer, ...view(1)),
      logTotal: new Float64Array(data.buffer, ...view(2)),
      first: new Int32Array(data.buffer, ...view(3)),
      pairKey: new Int32Array(data.buffer, ...view(4)),
      pairRange: new Int32Array(data.buffer, ...view(5)),
      words: buf.toString('utf16le', at),
    };
  } catch {
    return null;
  }
}

/** jieba's dictionary file as installed with @node-rs/jieba. */
export function jiebaDictionaryFile(): string {
  return createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
}

/**
 * The segmenter over `dictFile` (default: jieba's), compiled into `cacheDir`
 * on first use and read from there afterwards. Without a cache directory, or
 * when it cannot be written, the dictionary is compiled in memory.
 */
export function dictionarySegmenter(cacheDir?: string, dictFile = jiebaDictionaryFile()): DictionarySegmenter {
  let compiled: Compiled | null = null;
  let file: string | null = null;
  if (cacheDir) {
    // The dictionary's identity without reading it: path, size and modification time.
    const { size, mtimeMs } = statOf(dictFile);
    const key = createHash('sha256').update(`${MAGIC}\0${dictFile}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 16);
    file = join(cacheDir, `segment-${key}.bin`);
    compiled = load(file);
  }
  if (!compiled) {
    compiled = compile(readFileSync(dictFile, 'utf8'));
    if (file) {
      try {
        mkdirSync(cacheDir!, { recursive: true });
        save(file, compiled);
      } catch {
        // Read-only cache: compiled in memory each time.
      }
    }
  }
  return new DictionarySegmenter(compiled);
}

function statOf(file: string): { size: number; mtimeMs: number } {
  const s = statSync(file);
  return { size: s.size, mtimeMs: Math.round(s.mtimeMs) };
}

const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** jieba-rs's RE_HAN_DEFAULT class: CJK ideographs, ASCII alphanumerics and `+#&._%-`. */
function inBlock(cp: number): boolean {
  if (cp >= 0x4e00 && cp <= 0x9fff) return true;
  if (cp < 128) return isAsciiAlnum(cp) || cp === 43 || cp === 35 || cp === 38 || cp === 46 || cp === 95 || cp === 37 || cp === 45;
  return (
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2ebef) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

export class DictionarySegmenter {
  private readonly words: string;
  private readonly offs: Int32Array;
  private readonly logFreq: Float64Array;
  private readonly logTotal: number;
  private readonly first: Int32Array;
  private readonly pairKey: Int32Array;
  private readonly pairRange: Int32Array;
  private routeProb = new Float64Array(256);
  private routeEnd = new Int32Array(256);

  constructor(c: Compiled) {
    this.words = c.words;
    this.offs = c.offs;
    this.logFreq = c.logFreq;
    this.logTotal = c.logTotal[0]!;
    this.first = c.first;
    this.pairKey = c.pairKey;
    this.pairRange = c.pairRange;
  }

  /** Number of dictionary words. */
  get size(): number {
    return this.logFreq.length;
  }

  /** Token edges of `text`, as jieba's `cut(text, false)` would cut it. */
  readonly tokenEdges: TokenEdges = (text) => {
    const n = text.length;
    const edges = new Uint8Array(n + 1);
    edges[0] = 1;
    edges[n] = 1;
    let i = 0;
    while (i < n) {
      const block = inBlock(text.codePointAt(i)!);
      let j = i;
      while (j < n) {
        const cp = text.codePointAt(j)!;
        if (inBlock(cp) !== block) break;
        j += cp > 0xffff ? 2 : 1;
        // Outside blocks every character is a token.
        if (!block) edges[j] = 1;
      }
      if (block) this.cutBlock(text, i, j, edges);
      edges[i] = 1;
      i = j;
    }
    return edges;
  };

  /** First index in lo..hi whose word's code unit at `depth` is at least c (a word that short counts as -1). */
  private lowerBound(lo: number, hi: number, depth: number, c: number): number {
    const { offs, words } = this;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      const p = offs[m]! + depth;
      if ((p < offs[m + 1]! ? words.charCodeAt(p) : -1) < c) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private cutBlock(s: string, a: number, b: number, edges: Uint8Array): void {
    const len = b - a;
    if (this.routeProb.length <= len) {
      this.routeProb = new Float64Array(2 * len + 1);
      this.routeEnd = new Int32Array(2 * len + 1);
    }
    const prob = this.routeProb;
    const end = this.routeEnd;
    prob[len] = 0;
    for (let i = b - 1; i >= a; i--) {
      const c = s.charCodeAt(i);
      // The second half of a surrogate pair starts no word.
      if (c >= 0xdc00 && c <= 0xdfff && i > a && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff) continue;
      let best = -Infinity;
      let bestEnd = -1;
      let lo = this.first[2 * c]!;
      let hi = this.first[2 * c + 1]!;
      for (let d = 0; lo < hi; ) {
        if (this.offs[lo + 1]! - this.offs[lo]! === d + 1) {
          const e = i + d + 1;
          const p = this.logFreq[lo]! - this.logTotal + prob[e - a]!;
          if (p >= best) {
            best = p;
            bestEnd = e;
          }
        }
        if (++d >= b - i) break;
        const x = s.charCodeAt(i + d);
        if (d === 1) {
          const j = pairSlot(this.pairKey, (c << 16) | x);
          if (this.pairKey[j] === -1) break;
          lo = this.pairRange[2 * j]!;
          hi = this.pairRange[2 * j + 1]!;
        } else {
          lo = this.lowerBound(lo, hi, d, x);
          hi = this.lowerBound(lo, hi, d, x + 1);
        }
      }
      if (bestEnd < 0) {
        // Not in the dictionary: one character, frequency 1.
        bestEnd = i + (c >= 0xd800 && c <= 0xdbff && i + 1 < b ? 2 : 1);
        best = -this.logTotal + prob[bestEnd - a]!;
      }
      prob[i - a] = best;
      end[i - a] = bestEnd;
    }
    // Walk the route; single ASCII letters and digits run together into one token.
    let run = false;
    for (let x = a; x < b; ) {
      const y = end[x - a]!;
      if (y - x === 1 && isAsciiAlnum(s.charCodeAt(x))) {
        if (!run) edges[x] = 1;
        run = true;
      } else {
        edges[x] = 1;
        edges[y] = 1;
        run = false;
      }
      x = y;
    }
    edges[b] = 1;
  }
}
