/**
 * Regex safety for compliance officers' patterns. JavaScript's backtracking
 * engine can take exponential (or high polynomial) time on patterns like
 * `(a+)+b`, `(a|ab)*c` or `\d*\d*\d*x`; one such rule must not hang the
 * review workers. A pattern is parsed and:
 * - refused if it uses backreferences or lookaround (not linear-time), puts
 *   any quantifier (even `?`) inside a repetition (`(a+)+`, `(aa?)+`), repeats an alternation whose branches can
 *   start with the same character (or be empty), or puts two overlapping
 *   repetitions side by side;
 * - rewritten otherwise so every unbounded repetition (`*`, `+`, `{n,}`) is
 *   bounded (`{0,64}`, `{1,64}`, `{n,n+64}`): without nesting or overlapping
 *   neighbours, the work per start position is then bounded by a constant and
 *   a scan is linear in the text.
 */

/** Upper bound given to unbounded repetitions. */
export const REPEAT_LIMIT = 64;
const MAX_EXPLICIT_BOUND = 1000;

export type PatternCheck = { ok: true; source: string; warnings: string[] } | { ok: false; error: string };

interface CharSet {
  any: boolean;
  chars: Set<string>;
}

type Node =
  | { t: 'alt'; alts: Node[] }
  | { t: 'seq'; items: Node[] }
  | { t: 'quant'; body: Node; min: number; max: number; at: number }
  | { t: 'group'; body: Node }
  | { t: 'set'; set: CharSet }
  | { t: 'assert' };

class Unsafe extends Error {}

const ANY: CharSet = { any: true, chars: new Set() };
const lit = (c: string): CharSet => ({ any: false, chars: new Set([c]) });

class Parser {
  i = 0;
  /** [start, end, replacement] edits turning unbounded repetitions into bounded ones. */
  edits: Array<[number, number, string]> = [];
  constructor(readonly src: string) {}

  parse(): Node {
    const n = this.disjunction();
    if (this.i < this.src.length) throw new Unsafe(`unexpected '${this.src[this.i]}' at position ${this.i}`);
    return n;
  }

  private disjunction(): Node {
    const alts = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.alternative());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private alternative(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const start = this.i;
      const atom = this.atom();
      items.push(this.quantifier(atom, start));
    }
    return { t: 'seq', items };
  }

  private quantifier(atom: Node, atomStart: number): Node {
    const s = this.src;
    const at = this.i;
    let min: number;
    let max: number;
    const c = s[this.i];
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) throw new Unsafe(`repetition {${min},${max}} at position ${at} has max below min`);
      if (Number.isFinite(max) && max > MAX_EXPLICIT_BOUND) throw new Unsafe(`repetition bound ${max} at position ${at} is above ${MAX_EXPLICIT_BOUND}`);
    } else return atom;
    const end = this.i;
    if (s[this.i] === '?') this.i++;
    if (atom.t === 'assert') throw new Unsafe(`nothing to repeat at position ${at}`);
    if (max > 1) {
      if (containsRepeat(atom)) {
        throw new Unsafe(
          `nested repetition '${s.slice(atomStart, end)}' at position ${atomStart} can backtrack catastrophically; repeat a fixed-length group or use one repetition`,
        );
      }
      checkRepeatedAlternation(atom, s.slice(atomStart, end), atomStart);
    }
    if (max === Infinity) this.edits.push([at, end, `{${min},${min + REPEAT_LIMIT}}`]);
    return { t: 'quant', body: atom, min, max, at: atomStart };
  }

  private atom(): Node {
    const s = this.src;
    const c = s[this.i]!;
    if (c === '(') {
      if (s.startsWith('(?=', this.i) || s.startsWith('(?!', this.i) || s.startsWith('(?<=', this.i) || s.startsWith('(?<!', this.i)) {
        throw new Unsafe(`lookaround at position ${this.i} is not allowed; use the rule's near/unless contexts instead`);
      }
      if (s.startsWith('(?:', this.i)) this.i += 3;
      else if (s.startsWith('(?<', this.i)) {
        const close = s.indexOf('>', this.i);
        if (close < 0) throw new Unsafe(`unterminated group name at position ${this.i}`);
        this.i = close + 1;
      } else if (s[this.i + 1] === '?') throw new Unsafe(`unsupported group syntax at position ${this.i}`);
      else this.i++;
      const body = this.disjunction();
      if (s[this.i] !== ')') throw new Unsafe(`unterminated group (missing ')')`);
      this.i++;
      return { t: 'group', body };
    }
    if (c === '[') return { t: 'set', set: this.charClass() };
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert' };
    }
    if (c === '.') {
      this.i++;
      return { t: 'set', set: ANY };
    }
    if (c === '\\') return this.escape();
    if (c === '*' || c === '+' || c === '?' || c === '{') throw new Unsafe(`nothing to repeat at position ${this.i}`);
    if (c === ')') throw new Unsafe(`unmatched ')' at position ${this.i}`);
    const cp = s.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return { t: 'set', set: lit(ch.toLowerCase()) };
  }

  private escape(): Node {
    const s = this.src;
    const c = s[this.i + 1];
    if (c === undefined) throw new Unsafe('pattern ends with a backslash');
    if (/[1-9]/.test(c) || c === 'k') {
      throw new Unsafe(`backreference '\\${c}' at position ${this.i} is not allowed (it cannot be matched in linear time)`);
    }
    if (c === 'b' || c === 'B') {
      this.i += 2;
      return { t: 'assert' };
    }
    if (c === 'p' || c === 'P') {
      const close = s.indexOf('}', this.i);
      if (s[this.i + 2] !== '{' || close < 0) throw new Unsafe(`bad property escape at position ${this.i}`);
      this.i = close + 1;
      return { t: 'set', set: ANY };
    }
    if (c === 'u' || c === 'x' || c === 'c') {
      const m = /^\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z])/.exec(s.slice(this.i));
      if (!m) throw new Unsafe(`bad escape at position ${this.i}`);
      this.i += m[0].length;
      return { t: 'set', set: ANY };
    }
    this.i += 2;
    if ('dDwWsS'.includes(c)) return { t: 'set', set: ANY };
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', '0': '\0' };
    return { t: 'set', set: lit(map[c] ?? c) };
  }

  private charClass(): CharSet {
    const s = this.src;
    this.i++;
    const set: CharSet = { any: false, chars: new Set() };
    if (s[this.i] === '^') {
      set.any = true;
      this.i++;
    }
    let prev: string | null = null;
    while (this.i < s.length && s[this.i] !== ']') {
      if (s[this.i] === '\\') {
        const c = s[this.i + 1];
        if (c === undefined) break;
        if ('dDwWsSpPuxc'.includes(c)) {
          set.any = true;
          const m = /^\\([pP]\{[^}]*\}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|.)/u.exec(s.slice(this.i));
          this.i += m ? m[0].length : 2;
          prev = null;
          continue;
        }
        prev = c;
        set.chars.add(c.toLowerCase());
        this.i += 2;
        continue;
      }
      if (s[this.i] === '-' && prev !== null && s[this.i + 1] !== ']') {
        set.any = true; // a range: assume it may overlap anything
        this.i += 2;
        prev = null;
        continue;
      }
      const ch = String.fromCodePoint(s.codePointAt(this.i)!);
      set.chars.add(ch.toLowerCase());
      prev = ch;
      this.i += ch.length;
    }
    if (s[this.i] !== ']') throw new Unsafe(`unterminated character class`);
    this.i++;
    return set;
  }
}

function containsRepeat(n: Node): boolean {
  switch (n.t) {
    case 'quant':
      return true;
    case 'group':
      return containsRepeat(n.body);
    case 'seq':
      return n.items.some(containsRepeat);
    case 'alt':
      return n.alts.some(containsRepeat);
    default:
      return false;
  }
}

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'quant':
      return n.min === 0 || nullable(n.body);
    case 'group':
      return nullable(n.body);
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'assert':
      return true;
    default:
      return false;
  }
}

/** Characters a match of `n` can start with. */
function firstSet(n: Node): CharSet {
  switch (n.t) {
    case 'set':
      return n.set;
    case 'assert':
      return { any: false, chars: new Set() };
    case 'group':
      return firstSet(n.body);
    case 'quant':
      return firstSet(n.body);
    case 'alt':
      return n.alts.map(firstSet).reduce(union, { any: false, chars: new Set() });
    case 'seq': {
      let acc: CharSet = { any: false, chars: new Set() };
      for (const item of n.items) {
        acc = union(acc, firstSet(item));
        if (!nullable(item)) break;
      }
      return acc;
    }
  }
}

function union(a: CharSet, b: CharSet): CharSet {
  return { any: a.any || b.any, chars: new Set([...a.chars, ...b.chars]) };
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if ((a.any && (b.any || b.chars.size > 0)) || (b.any && a.chars.size > 0)) return true;
  for (const c of a.chars) if (b.chars.has(c)) return true;
  return false;
}

function checkRepeatedAlternation(atom: Node, text: string, at: number): void {
  const alts: Node[] = [];
  const collect = (n: Node) => {
    if (n.t === 'group') collect(n.body);
    else if (n.t === 'alt') alts.push(...n.alts);
  };
  collect(atom);
  if (alts.length === 0) return;
  if (alts.some(nullable)) throw new Unsafe(`repeated alternation '${text}' at position ${at} has an empty branch`);
  const firsts = alts.map(firstSet);
  for (let a = 0; a < firsts.length; a++) {
    for (let b = a + 1; b < firsts.length; b++) {
      if (overlaps(firsts[a]!, firsts[b]!)) {
        throw new Unsafe(
          `repeated alternation '${text}' at position ${at} has branches that can start with the same character; they can backtrack catastrophically`,
        );
      }
    }
  }
}

/** Two repetitions over overlapping characters with only optional items between them (`\d*\d*`, `.*\s*.*`). */
function checkAdjacentRepeats(n: Node, src: string): void {
  switch (n.t) {
    case 'group':
      return checkAdjacentRepeats(n.body, src);
    case 'quant':
      return checkAdjacentRepeats(n.body, src);
    case 'alt':
      return n.alts.forEach((a) => checkAdjacentRepeats(a, src));
    case 'seq': {
      n.items.forEach((i) => checkAdjacentRepeats(i, src));
      const open: Array<{ set: CharSet; at: number }> = [];
      for (const item of n.items) {
        if (item.t === 'quant' && item.max > 1) {
          const set = firstSet(item.body);
          for (const o of open) {
            if (overlaps(o.set, set)) {
              throw new Unsafe(
                `repetitions at positions ${o.at} and ${item.at} overlap with nothing required between them; merge them into one repetition`,
              );
            }
          }
          open.push({ set, at: item.at });
        }
        if (!nullable(item)) open.length = 0;
      }
      return;
    }
    default:
      return;
  }
}

/**
 * Checks a compliance officer's pattern. On success returns the (possibly
 * rewritten) source to compile and a warning per rewrite; on failure a message
 * that says what is wrong and where.
 */
export function checkPattern(src: string): PatternCheck {
  if (src.length === 0) return { ok: false, error: 'empty pattern' };
  if (src.length > 2000) return { ok: false, error: 'pattern longer than 2000 characters' };
  const p = new Parser(src);
  try {
    const ast = p.parse();
    checkAdjacentRepeats(ast, src);
  } catch (err) {
    if (err instanceof Unsafe) return { ok: false, error: `unsafe pattern /${src}/: ${err.message}` };
    throw err;
  }
  let out = src;
  const warnings: string[] = [];
  for (const [start, end, rep] of [...p.edits].sort((a, b) => b[0] - a[0])) {
    warnings.push(`unbounded '${src.slice(start, end)}' at position ${start} bounded to '${rep}'`);
    out = out.slice(0, start) + rep + out.slice(end);
  }
  try {
    new RegExp(out, 'giu');
  } catch (err) {
    return { ok: false, error: `invalid pattern /${src}/: ${(err as Error).message}` };
  }
  return { ok: true, source: out, warnings };
}

/** Characters a match of `n` can end with. */
function lastSet(n: Node): CharSet {
  switch (n.t) {
    case 'seq': {
      let acc: CharSet = { any: false, chars: new Set() };
      for (let i = n.items.length - 1; i >= 0; i--) {
        acc = union(acc, lastSet(n.items[i]!));
        if (!nullable(n.items[i]!)) break;
      }
      return acc;
    }
    case 'alt':
      return n.alts.map(lastSet).reduce(union, { any: false, chars: new Set() });
    case 'group':
    case 'quant':
      return lastSet(n.body);
    default:
      return firstSet(n);
  }
}

/**
 * Character sets every match of the (safe) pattern draws from: one it must
 * start with and one it must end with (null where any character will do).
 * The engine skips a pattern on texts that lack either, without running it.
 */
export function patternEdgeChars(src: string): { first: string[] | null; last: string[] | null } {
  try {
    const ast = new Parser(src).parse();
    if (nullable(ast)) return { first: null, last: null };
    const f = firstSet(ast);
    const l = lastSet(ast);
    return { first: f.any ? null : [...f.chars], last: l.any ? null : [...l.chars] };
  } catch {
    return { first: null, last: null };
  }
}

function maxLength(n: Node): number {
  switch (n.t) {
    case 'set':
      return 2; // one code point, maybe a surrogate pair
    case 'assert':
      return 0;
    case 'group':
      return maxLength(n.body);
    case 'quant':
      return n.max === Infinity ? Infinity : n.max * maxLength(n.body);
    case 'seq':
      return n.items.reduce((a, i) => a + maxLength(i), 0);
    case 'alt':
      return Math.max(...n.alts.map(maxLength));
  }
}

/** Longest match of a pattern in UTF-16 code units (Infinity if unbounded). */
export function patternMaxLength(src: string): number {
  try {
    return maxLength(new Parser(src).parse());
  } catch {
    return Infinity;
  }
}
