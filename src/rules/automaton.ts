/**
 * Aho–Corasick automaton laid out as a double-array trie over typed arrays.
 *
 * Keys are sequences of code points (already normalised, runs collapsed).
 * Code points are first mapped to dense class ids (a Uint16Array for the BMP),
 * then a transition is one addition and one comparison: `t = base[s] + c;
 * check[t] === s`. Failure links and dictionary-suffix links make the scan
 * linear in the text whatever the number of keys. Each state's base, check,
 * failure link and first output sit side by side in one Int32Array, so a step
 * touches one cache line.
 *
 * While scanning, a character equal to the previous one (with no clause break
 * between) is skipped, so 赌赌赌博博 walks the same path as 赌博; callers
 * verify run lengths afterwards (see TermKey.min).
 */

/** The compiled automaton; plain typed arrays so it can be cached on disk and rebuilt without copying. */
export interface AutomatonData {
  /** Class id (1-based) of each BMP code point; 0 = in no key. */
  classOf: Uint16Array;
  /** Sorted astral code points with their class ids, as pairs [cp, cls, cp, cls, …]. */
  astral: Int32Array;
  /**
   * Per state s: [4s] base; [4s+1] check (parent index, CHECK_MASK) with
   * HAS_OUTPUT set when a key ends at s or along its failure chain; [4s+2]
   * failure link; [4s+3] child filter: bit (class & 31) set for each child.
   */
  nodes: Int32Array;
  /** Root transitions by class (0 = stay at the root): the busiest transitions, in a small hot array. */
  rootNext: Int32Array;
  /** Key id ending at this state, or -1. */
  outKey: Int32Array;
  /** Next state along the failure chain that ends a key, or -1. */
  outLink: Int32Array;
  /** Length (in collapsed characters) of each key. */
  keyLength: Int32Array;
}

/** Largest interference gap (skipped characters) allowed between two letters of one match. */
export const MAX_INNER_GAP = 4;

/** Bits of a check word holding the parent index; the bit above marks states with output. */
const CHECK_MASK = 0x3fffffff;
const HAS_OUTPUT = 0x40000000;

function growTo(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

function grow(a: Int32Array<ArrayBuffer>, size: number, fill: number): Int32Array<ArrayBuffer> {
  if (a.length >= size) return a;
  let cap = a.length;
  while (cap < size) cap *= 2;
  const b = new Int32Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/**
 * Builds the automaton. `keys[i]` (a string of normalised code points) is key
 * id i; duplicates are allowed (the first one wins the state, so callers
 * should deduplicate) and empty keys are ignored.
 */
export function buildAutomaton(keys: readonly string[]): AutomatonData {
  // Every key's code points in one flat array (key i is flat[off[i] .. off[i+1])), counted by frequency.
  let units = 0;
  for (const k of keys) units += k.length;
  const flat = new Int32Array(units);
  const off = new Int32Array(keys.length + 1);
  const keyLength = new Int32Array(keys.length);
  const bmpFreq = new Int32Array(65536);
  const astralFreq = new Map<number, number>();
  let w = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    off[i] = w;
    for (let j = 0; j < k.length; j++) {
      let c = k.charCodeAt(j);
      if (c >= 0xd800 && c <= 0xdbff && j + 1 < k.length) {
        c = k.codePointAt(j)!;
        if (c > 0xffff) j++;
      }
      flat[w++] = c;
      if (c < 65536) bmpFreq[c]!++;
      else astralFreq.set(c, (astralFreq.get(c) ?? 0) + 1);
    }
    keyLength[i] = w - off[i]!;
  }
  off[keys.length] = w;

  // Dense classes, most frequent code points first so busy states pack tightly.
  const byFreq: Array<[number, number]> = [];
  for (let c = 0; c < 65536; c++) if (bmpFreq[c]! > 0) byFreq.push([c, bmpFreq[c]!]);
  for (const e of astralFreq) byFreq.push(e);
  byFreq.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  if (byFreq.length > 65535) throw new Error('too many distinct characters in rule terms (max 65535)');
  const classOf = new Uint16Array(65536);
  const astralPairs: Array<[number, number]> = [];
  const astralCls = new Map<number, number>();
  byFreq.forEach(([cp], i) => {
    if (cp < 65536) classOf[cp] = i + 1;
    else {
      astralPairs.push([cp, i + 1]);
      astralCls.set(cp, i + 1);
    }
  });
  astralPairs.sort((a, b) => a[0] - b[0]);
  const astral = new Int32Array(astralPairs.flat());
  for (let i = 0; i < w; i++) {
    const c = flat[i]!;
    flat[i] = c < 65536 ? classOf[c]! : astralCls.get(c)!;
  }
  const len = (i: number) => keyLength[i]!;
  const at = (i: number, d: number) => flat[off[i]! + d]!;
  // Keys in lexicographic order of their strings: any such order keeps the keys sharing a prefix together,
  // with the prefix itself first, which is all the construction needs (child classes come out unordered).
  const order: number[] = [];
  for (let i = 0; i < keys.length; i++) if (keyLength[i]! > 0) order.push(i);
  order.sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });

  const numClasses = byFreq.length;
  let cap = 1024;
  while (cap < keys.length * 4 + numClasses + 2) cap *= 2;
  let base = new Int32Array(cap);
  let check = new Int32Array(cap).fill(-1);
  let outKey = new Int32Array(cap).fill(-1);
  // Doubly linked list of free slots, so the base search skips occupied ones.
  let nextFree = new Int32Array(cap);
  let prevFree = new Int32Array(cap);
  const linkFree = (from: number, to: number, tail: number) => {
    for (let i = from; i < to; i++) {
      prevFree[i] = i === from ? tail : i - 1;
      nextFree[i] = i + 1 < to ? i + 1 : -1;
    }
    if (tail >= 0) nextFree[tail] = from;
  };
  let freeHead = 1;
  let freeTail = cap - 1;
  linkFree(1, cap, -1);
  const ensure = (size: number) => {
    if (size <= check.length) return;
    const old = check.length;
    base = grow(base, size, 0);
    check = grow(check, size, -1);
    outKey = grow(outKey, size, -1);
    nextFree = grow(nextFree, size, 0);
    prevFree = grow(prevFree, size, 0);
    const now = check.length;
    const f = new Uint8Array(now);
    f.set(failures);
    failures = f;
    const up = new Int32Array(now);
    up.set(nextUp);
    for (let i = old; i < now; i++) up[i] = i;
    nextUp = up;
    const u = new Uint8Array(now);
    u.set(unlinked);
    unlinked = u;
    if (freeHead === -1) {
      linkFree(old, now, -1);
      freeHead = old;
    } else linkFree(old, now, freeTail);
    freeTail = now - 1;
  };
  // Union-find over slots: findFree(i) is the first free slot at or above i.
  let nextUp = new Int32Array(cap);
  for (let i = 0; i < cap; i++) nextUp[i] = i;
  const findFree = (x: number): number => {
    while (nextUp[x] !== x) {
      const up = nextUp[x]!;
      nextUp[x] = nextUp[up]!;
      x = up;
    }
    return x;
  };
  // Slots that failed as first-child candidates too often leave the list (they may still be used by a sibling).
  let failures = new Uint8Array(cap);
  let unlinked = new Uint8Array(cap);
  const unlink = (i: number) => {
    if (unlinked[i]) return;
    unlinked[i] = 1;
    const p = prevFree[i]!;
    const n = nextFree[i]!;
    if (p >= 0) nextFree[p] = n;
    else freeHead = n;
    if (n >= 0) prevFree[n] = p;
    else freeTail = p;
  };
  const occupy = (i: number) => {
    unlink(i);
    nextUp[i] = i + 1;
  };
  check[0] = 0x7fffffff; // root is occupied and never anybody's child
  nextUp[0] = 1;
  let maxIndex = 0;

  // BFS over (state, key range, depth): the darts construction.
  // BFS queue of (state, key range, depth); the visiting order is kept for the failure links.
  let qCap = 1024;
  let qState = new Int32Array(qCap);
  let qLo = new Int32Array(qCap);
  let qHi = new Int32Array(qCap);
  let qDepth = new Int32Array(qCap);
  let qLen = 1;
  qHi[0] = order.length;
  const childCls = new Int32Array(numClasses + 1);
  const childLo = new Int32Array(numClasses + 2);
  for (let head = 0; head < qLen; head++) {
    const s = qState[head]!;
    let lo = qLo[head]!;
    const hi = qHi[head]!;
    const depth = qDepth[head]!;
    while (lo < hi && len(order[lo]!) === depth) {
      if (outKey[s] === -1) outKey[s] = order[lo]!;
      lo++;
    }
    if (lo >= hi) continue;
    let nChildren = 0;
    for (let i = lo; i < hi; i++) {
      const c = at(order[i]!, depth);
      if (nChildren === 0 || childCls[nChildren - 1] !== c) {
        childCls[nChildren] = c;
        childLo[nChildren] = i;
        nChildren++;
      }
    }
    childLo[nChildren] = hi;
    let first = childCls[0]!;
    let last = first;
    for (let j = 1; j < nChildren; j++) {
      const c = childCls[j]!;
      if (c < first) first = c;
      else if (c > last) last = c;
    }
    let b = 0;
    let pos = freeHead;
    if (nChildren === 1) {
      // Most states have one child: the first free slot above its class, from the union-find.
      ensure(first + 3);
      const at = findFree(first + 1);
      ensure(at + 2);
      b = at - first;
      pos = -2;
    }
    // First fit over the free list: the first child goes to a free slot, the others must be free too.
    while (pos !== -2) {
      if (pos === -1) {
        const old = check.length;
        ensure(old * 2);
        pos = old;
        continue;
      }
      if (pos > first) {
        b = pos - first;
        ensure(b + last + 2);
        let ok = true;
        for (let j = 0; j < nChildren; j++) {
          if (check[b + childCls[j]!] !== -1) {
            ok = false;
            break;
          }
        }
        if (ok) break;
      }
      const next = nextFree[pos]!;
      if (++failures[pos]! >= 16) unlink(pos);
      pos = next;
    }
    base[s] = b;
    for (let j = 0; j < nChildren; j++) {
      const t = b + childCls[j]!;
      check[t] = s;
      occupy(t);
      if (t > maxIndex) maxIndex = t;
      if (qLen === qCap) {
        qCap *= 2;
        qState = growTo(qState, qCap);
        qLo = growTo(qLo, qCap);
        qHi = growTo(qHi, qCap);
        qDepth = growTo(qDepth, qCap);
      }
      qState[qLen] = t;
      qLo[qLen] = childLo[j]!;
      qHi[qLen] = childLo[j + 1]!;
      qDepth[qLen] = depth + 1;
      qLen++;
    }
  }

  const size = maxIndex + numClasses + 2;
  base = grow(base, size, 0).slice(0, size);
  check = grow(check, size, -1).slice(0, size);
  outKey = grow(outKey, size, -1).slice(0, size);
  const fail = new Int32Array(size);
  const outLink = new Int32Array(size).fill(-1);
  for (let i = 1; i < qLen; i++) {
    const t = qState[i]!;
    const p = check[t]!;
    const c = t - base[p]!;
    let f = 0;
    if (p !== 0) {
      let g = fail[p]!;
      for (;;) {
        const nt = base[g]! + c;
        if (nt < size && check[nt] === g && nt !== t) {
          f = nt;
          break;
        }
        if (g === 0) break;
        g = fail[g]!;
      }
    }
    fail[t] = f;
    outLink[t] = outKey[f] !== -1 ? f : outLink[f]!;
  }
  if (size > CHECK_MASK) throw new Error('automaton too large');
  const nodes = new Int32Array(size * 4);
  for (let i = 0; i < size; i++) {
    const p = check[i]!;
    nodes[4 * i] = base[i]!;
    nodes[4 * i + 1] = (p < 0 || p === 0x7fffffff ? CHECK_MASK : p) | (outKey[i] !== -1 || outLink[i] !== -1 ? HAS_OUTPUT : 0);
    nodes[4 * i + 2] = fail[i]!;
    if (p >= 0 && p !== 0x7fffffff) nodes[4 * p + 3]! |= 1 << ((i - base[p]!) & 31);
  }
  const rootNext = new Int32Array(numClasses + 1);
  for (let k = 1; k <= numClasses; k++) {
    const t = base[0]! + k;
    rootNext[k] = check[t] === 0 ? t : 0;
  }
  return { classOf, astral, nodes, rootNext, outKey, outLink, keyLength };
}

function astralClass(astral: Int32Array, cp: number): number {
  let lo = 0;
  let hi = astral.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = astral[mid * 2]!;
    if (v === cp) return astral[mid * 2 + 1]!;
    if (v < cp) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Growable list of (key id, end index) pairs filled by `scanAutomaton`. */
export interface MatchBuffer {
  count: number;
  keys: Int32Array;
  ends: Int32Array;
}

export function emptyMatches(capacity = 256): MatchBuffer {
  return { count: 0, keys: new Int32Array(capacity), ends: new Int32Array(capacity) };
}

function push(buf: MatchBuffer, key: number, end: number): void {
  if (buf.count === buf.keys.length) {
    const keys = new Int32Array(buf.keys.length * 2);
    keys.set(buf.keys);
    const ends = new Int32Array(buf.ends.length * 2);
    ends.set(buf.ends);
    buf.keys = keys;
    buf.ends = ends;
  }
  buf.keys[buf.count] = key;
  buf.ends[buf.count] = end;
  buf.count++;
}

/** Class id of any code point (0: in no key). */
export function classOfCodePoint(a: AutomatonData, cp: number): number {
  return cp < 65536 ? a.classOf[cp]! : astralClass(a.astral, cp);
}

/**
 * One step of the walk: from state `s` on a character of class `k` (not 0),
 * following failure links until a transition exists; appends the keys that
 * end there, at skeleton index `at`, to `out`; returns the new state. Shared
 * by `scanAutomaton` and the normaliser's fused scan (normalize.ts), which
 * skip repeated characters and restart at gaps before calling it.
 */
export function step(a: AutomatonData, s: number, k: number, at: number, out: MatchBuffer): number {
  const nodes = a.nodes;
  const bit = 1 << (k & 31);
  for (;;) {
    if (s === 0) {
      s = a.rootNext[k]!;
      break;
    }
    const sb = s << 2;
    // The child filter, in the state's own cache line, spares most failed transitions a load from
    // a random place in the array: in running text most characters end at the root.
    if ((nodes[sb + 3]! & bit) !== 0) {
      const t = nodes[sb]! + k;
      if ((nodes[(t << 2) + 1]! & CHECK_MASK) === s) {
        s = t;
        break;
      }
    }
    s = nodes[sb + 2]!;
  }
  if ((nodes[(s << 2) + 1]! & HAS_OUTPUT) !== 0) {
    for (let o = a.outKey[s] !== -1 ? s : a.outLink[s]!; o !== -1; o = a.outLink[o]!) push(out, a.outKey[o]!, at);
  }
  return s;
}

/**
 * Scans `length` normalised characters. For every key occurrence appends (key
 * id, index of the first character of the key's last run). `gap[i]` above
 * MAX_INNER_GAP restarts the automaton, so a match never spans a clause break
 * or a long run of interference. `out.count` is reset first.
 */
export function scanAutomaton(
  a: AutomatonData,
  cp: Int32Array,
  gap: Uint8Array,
  length: number,
  out: MatchBuffer,
): void {
  out.count = 0;
  let s = 0;
  let prev = -1;
  for (let i = 0; i < length; i++) {
    const c = cp[i]!;
    if (gap[i]! > MAX_INNER_GAP) {
      s = 0;
      prev = -1;
    } else if (c === prev) continue;
    prev = c;
    const k = classOfCodePoint(a, c);
    s = k === 0 ? 0 : step(a, s, k, i, out);
  }
}

/** Bytes held by the automaton's arrays. */
export function automatonBytes(a: AutomatonData): number {
  return (
    a.classOf.byteLength +
    a.astral.byteLength +
    a.nodes.byteLength +
    a.rootNext.byteLength +
    a.outKey.byteLength +
    a.outLink.byteLength +
    a.keyLength.byteLength
  );
}
