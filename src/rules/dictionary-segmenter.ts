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

const MAGIC = 'LGSEGD01';

/** Words sorted by UTF-16 code units, concatenated, with their frequencies. */
interface Compiled {
  words: string;
  /** Word k is words.slice(offs[k], offs[k + 1]). */
  offs: Int32Array;
  freq: Int32Array;
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
  const offs = new Int32Array(list.length + 1);
  const freq = new Int32Array(list.length);
  let at = 0;
  list.forEach(([w, f], k) => {
    offs[k] = at;
    freq[k] = f;
    at += w.length;
  });
  offs[list.length] = at;
  return { words: list.map((x) => x[0]).join(''), offs, freq };
}

function save(file: string, c: Compiled): void {
  const words = Buffer.from(c.words, 'utf16le');
  const header = Buffer.alloc(24);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(c.freq.length, 8);
  header.writeUInt32LE(words.length, 12);
  const body = Buffer.concat([header, Buffer.from(c.offs.buffer), Buffer.from(c.freq.buffer), words]);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}

function load(file: string): Compiled | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < 24 || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const n = buf.readUInt32LE(8);
  const wordBytes = buf.readUInt32LE(12);
  if (buf.length !== 24 + 4 * (n + 1) + 4 * n + wordBytes) return null;
  const ints = new Int32Array(2 * n + 1);
  new Uint8Array(ints.buffer).set(buf.subarray(24, 24 + 4 * (2 * n + 1)));
  return { offs: ints.subarray(0, n + 1), freq: ints.subarray(n + 1), words: buf.toString('utf16le', 24 + 4 * (2 * n + 1)) };
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
  /** Words starting with BMP code unit c: indices first[2c] .. first[2c + 1]. */
  private readonly first = new Int32Array(2 * 65536);
  private routeProb = new Float64Array(256);
  private routeEnd = new Int32Array(256);

  constructor(c: Compiled) {
    this.words = c.words;
    this.offs = c.offs;
    this.logFreq = new Float64Array(c.freq.length);
    let total = 0;
    for (let k = 0; k < c.freq.length; k++) {
      total += c.freq[k]!;
      this.logFreq[k] = Math.log(c.freq[k]!);
    }
    this.logTotal = Math.log(total);
    for (let k = c.freq.length - 1; k >= 0; k--) {
      const u = c.words.charCodeAt(c.offs[k]!);
      if (this.first[2 * u + 1] === 0) this.first[2 * u + 1] = k + 1;
      this.first[2 * u] = k;
    }
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
        lo = this.lowerBound(lo, hi, d, x);
        hi = this.lowerBound(lo, hi, d, x + 1);
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
