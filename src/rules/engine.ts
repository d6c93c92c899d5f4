/**
 * The rule engine: the rule half of machine review (`RuleMatcher`).
 *
 * A scan normalises each field (normalize.ts), runs the compiled automaton
 * (automaton.ts) once — every variant of every term is in it —, verifies
 * each candidate (repeat counts, ASCII and word boundaries, validity window,
 * required proximity, exceptions and allow-lists); adds pattern and validator
 * findings; and reports every finding with offsets into the original field.
 *
 * An engine owns its scratch buffers and is not shared between threads: each
 * worker thread builds its own from a directory (`loadRuleEngine`) or from
 * in-memory packs (`createRuleEngine`).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Field, Hit, ReviewInput, RuleMatcher } from '../review/types.js';
import { automatonBytes, emptyMatches, MAX_INNER_GAP, type MatchBuffer } from './automaton.js';
import { loadCompiled, saveCompiled } from './cache.js';
import { compileRules, rulesVersion, type CompiledContext, type CompiledRules, type CompileOptions, type KeyEntry, type KeyTable, type PackInput } from './compile.js';
import { loadLexicon, type LexiconPolicy } from './lexicon.js';
import { charTable, emptyNormalized, endOffset, type CharTable, foldPreimages, foldText, HARD_GAP, normalize, type NormalizedText } from './normalize.js';
import { loadPackDir } from './pack.js';
import { commonWords, fitsWords, tokenEdges } from './segment.js';
import { digitRuns, findBankCards, findChineseIds, findMobiles, findPastDeadlines, mayHaveDeadline, type DigitRun, type Span } from './validators.js';
import { patternEdgeChars, patternMaxLength } from './regex-safety.js';

let defaultDir: string | null = null;

/**
 * `<repo>/rules`, computed on first use (not at module load: a Worker bundle
 * has no file URL, and it gets its packs bundled instead, see src/edge/packs.ts).
 */
export function defaultRulesDir(): string {
  defaultDir ??= resolve(dirname(fileURLToPath(import.meta.url)), '../../rules');
  return defaultDir;
}

export interface RuleEngineOptions {
  /** Pack directory (default `<repo>/rules`). */
  rulesDir?: string;
  /** Plain word lists loaded as extra `review` rules. */
  lexicons?: string[];
  /** Directory for compiled packs keyed by content hash; skips compilation on a hit. */
  cacheDir?: string;
  lexiconPolicy?: LexiconPolicy;
  /** Packs held elsewhere (database rules from the compliance API), compiled together with the directory's. */
  extraPacks?: PackInput[];
}

interface Occurrence {
  s: number;
  e: number;
}

interface Candidate {
  rule: number;
  entry: Extract<KeyEntry, { t: 'term' }> | null;
  /** Kept-character indices, inclusive. */
  s: number;
  e: number;
  /** The span including whole repeated runs at both ends (赌赌赌博博 for 赌博). */
  rs: number;
  re: number;
  start: number;
  end: number;
}

const SEGMENT_WINDOW = 10;
/** Dictionary frequency from which a two-character word counts for `edgeCutsWord`. */
const BIGRAM_MIN_FREQUENCY = 500;
const isAsciiAlnum = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122);
const isDigit = (cp: number) => cp >= 48 && cp <= 57;
/** Whether kept characters s..e include a CJK ideograph (the segmenter has something to say). */
function hasHan(norm: NormalizedText, s: number, e: number): boolean {
  for (let i = s; i <= e; i++) {
    const c = norm.cp[i]!;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || c >= 0x20000) return true;
  }
  return false;
}

export class RuleEngine implements RuleMatcher {
  readonly version: string;
  private readonly regexes: RegExp[][];
  /** Per rule, per pattern (then the deadline validator): trigger bits that must all be present for a match. */
  private readonly prefilters: number[][][];
  /** The normaliser's table, carrying the trigger bits of each code unit (see prefilters). */
  private readonly chars: CharTable;
  /**
   * Per rule, per pattern: where matches can start (original-text spellings of
   * the first characters) and how long they can be, so the pattern runs
   * anchored at those places only; null to scan the whole text.
   */
  private readonly anchors: ({ starts: string[]; maxLength: number; sticky: RegExp } | null)[][];
  /** Rules with patterns or a validator. */
  private readonly patternRules: number[];
  private readonly norm: NormalizedText = emptyNormalized(4096);
  private readonly matches: MatchBuffer = emptyMatches();
  private readonly counts = new Int32Array(1024);
  /** Common two-character BMP words as `first * 65536 + second` (see edgeCutsWord). */
  private commonPairs: Set<number> | null = null;
  private runStart = 0;
  private runEnd = 0;
  /** Per key: whether it carries rule terms / context or allow-list phrases. */
  private readonly keyHasTerm: Uint8Array;
  private readonly keyHasPhrase: Uint8Array;

  constructor(readonly compiled: CompiledRules) {
    this.version = compiled.version;
    this.regexes = compiled.rules.map((r) => r.patterns.map((p) => new RegExp(p, 'giu')));
    // Each distinct edge-character set of a pattern gets a trigger bit (sets beyond 31 share the last bit).
    const bitOf = new Map<string, number>();
    const triggers = new Uint32Array(65536);
    const bitFor = (chars: string[]): number => {
      const all = foldPreimages(chars.map((ch) => ch.toLowerCase()));
      const key = all.join('');
      let bit = bitOf.get(key);
      if (bit === undefined) {
        bit = 1 << Math.min(bitOf.size, 31);
        bitOf.set(key, bit);
      }
      for (const ch of all) triggers[ch.charCodeAt(0)]! |= bit;
      return bit;
    };
    this.prefilters = compiled.rules.map((r) => {
      const sets = r.patterns.map((p) => {
        const { first, last } = patternEdgeChars(p);
        return [first, last].filter((x): x is string[] => x !== null && x.length > 0).map(bitFor);
      });
      if (r.validator === 'past-deadline') sets.push([bitFor(['截', '于'])]);
      return sets;
    });
    this.chars = charTable(triggers, compiled.text.automaton);
    this.anchors = compiled.rules.map((r) =>
      r.patterns.map((p) => {
        const { first } = patternEdgeChars(p);
        const maxLength = patternMaxLength(p);
        if (!first || maxLength > 256) return null;
        return { starts: foldPreimages(first.map((ch) => ch.toLowerCase())), maxLength, sticky: new RegExp(p, 'iuy') };
      }),
    );
    this.patternRules = compiled.rules.flatMap((r, i) => (r.patterns.length > 0 || r.validator ? [i] : []));
    const entries = compiled.text.entries;
    this.keyHasTerm = Uint8Array.from(entries, (list) => (list.some((e) => e.t === 'term') ? 1 : 0));
    this.keyHasPhrase = Uint8Array.from(entries, (list) => (list.some((e) => e.t === 'phrase') ? 1 : 0));
  }

  /** Problems and notes from compilation (rewritten patterns, lexicon triage). */
  get diagnostics() {
    return this.compiled.diagnostics;
  }

  /** Bytes held by the compiled automata. */
  get compiledBytes(): number {
    return automatonBytes(this.compiled.text.automaton);
  }

  scan(input: ReviewInput): Hit[] {
    const hits: Hit[] = [];
    if (input.title) this.scanField('title', input.title, input.date, hits);
    this.scanField('body', input.body, input.date, hits);
    return hits;
  }

  private scanField(field: Field, text: string, date: string, out: Hit[]): void {
    if (!text) return;
    const c = this.compiled;
    const norm = normalize(text, this.norm, this.chars, this.matches);
    const cands: Candidate[] = [];
    this.collect(c.text, norm.cp, norm, cands);
    if (this.patternRules.length > 0) this.collectPatterns(text, date, norm, cands);
    if (cands.length === 0) return;
    const phrases = this.phraseOccurrences(c.text, norm.cp, norm);
    dropNestedLexiconWords(c, cands);

    const segCache = new Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>();
    const kept: Array<{ cand: Candidate; lexicon: boolean }> = [];
    for (const cand of cands) {
      if (cand.rule < 0) continue;
      const rule = c.rules[cand.rule]!;
      if (rule.validFrom && date < rule.validFrom) continue;
      if (rule.validUntil && date >= rule.validUntil) continue;
      if (rule.near && (phrases.size === 0 || !contextHolds(rule.near, phrases, cand.s, cand.e))) continue;
      // Exceptions and allow-lists need a phrase in the text; most fields have none.
      if (phrases.size > 0) {
        if (covered(rule.unlessPhrases, phrases, cand.s, cand.e)) continue;
        if (covered(c.allow, phrases, cand.s, cand.e)) continue;
        if (rule.unlessNear.some((ctx) => contextHolds(ctx, phrases, cand.s, cand.e))) continue;
        if (rule.lexicon && c.lexiconUnless.some((ctx) => contextHolds(ctx, phrases, cand.s, cand.e))) continue;
      }
      const entry = cand.entry;
      if (entry && entry.boundary !== 'none') {
        if (entry.asciiStart && !asciiEdgeOk(norm, cand.s, -1)) continue;
        if (entry.asciiEnd && !asciiEdgeOk(norm, cand.e, 1)) continue;
        // Segmentation last: it is the expensive check.
        if (!(entry.asciiStart && entry.asciiEnd) && hasHan(norm, cand.s, cand.e)) {
          const strict = entry.boundary === 'word' || entry.kind === 'homophone';
          // Repeated characters confuse the segmenter; the span with whole runs may fit where the trimmed one does not.
          const fits =
            this.wordsFit(norm, cand.s, cand.e, strict, segCache) ||
            ((cand.rs !== cand.s || cand.re !== cand.e) && this.wordsFit(norm, cand.rs, cand.re, strict, segCache));
          if (!fits) continue;
        }
      }
      kept.push({ cand, lexicon: rule.lexicon });
    }

    // One finding per span and rule: drop what another finding of the same rule contains;
    // lexicon words yield to pack findings they overlap and to longer lexicon words.
    kept.sort((a, b) => a.cand.start - b.cand.start || b.cand.end - a.cand.end);
    const result: Array<{ cand: Candidate; lexicon: boolean }> = [];
    for (const k of kept) {
      const id = ruleIdOf(c, k.cand);
      let drop = false;
      for (const r of result) {
        const inside = r.cand.start <= k.cand.start && r.cand.end >= k.cand.end;
        const overlap = r.cand.start < k.cand.end && k.cand.start < r.cand.end;
        if (inside && (ruleIdOf(c, r.cand) === id || r.cand.rule === k.cand.rule)) drop = true;
        else if (k.lexicon && overlap && (!r.lexicon || inside)) drop = true;
        if (drop) break;
      }
      if (!drop && !k.lexicon) {
        // A pack finding supersedes lexicon findings it overlaps that were placed before it.
        for (let i = result.length - 1; i >= 0; i--) {
          const r = result[i]!;
          if (r.lexicon && r.cand.start < k.cand.end && k.cand.start < r.cand.end) result.splice(i, 1);
        }
      }
      if (!drop) result.push(k);
    }
    for (const { cand } of result) {
      const rule = c.rules[cand.rule]!;
      const suggestion = cand.entry?.suggestion ?? rule.suggestion;
      let message = rule.message;
      if (cand.entry && cand.entry.kind !== 'exact' && message) message = `${message}（变体写法，原词：${cand.entry.term}）`;
      out.push({
        field,
        start: cand.start,
        end: cand.end,
        text: text.slice(cand.start, cand.end),
        rule: ruleIdOf(c, cand),
        category: rule.category,
        gate: rule.gate,
        severity: rule.severity,
        action: rule.action,
        ...(suggestion ? { suggestion } : {}),
        ...(message ? { message } : {}),
      });
    }
  }

  /**
   * Turns the automaton's matches (found by `normalize` while it wrote the
   * skeleton) that are verified rule terms into candidates. Matches of
   * context and allow-list phrases stay in the match buffer;
   * `phraseOccurrences` reads them only when a candidate exists, which in
   * clean official text is rarely the case.
   */
  private collect(table: KeyTable, stream: Int32Array, norm: NormalizedText, cands: Candidate[]): void {
    const { automaton, entries } = table;
    const m = this.matches;
    for (let i = 0; i < m.count; i++) {
      const key = m.keys[i]!;
      if (!this.keyHasTerm[key]) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries[key]!) {
        if (entry.t !== 'term' || !this.runsFit(entry.min, L)) continue;
        const last = m.ends[i]!;
        const s = L === 1 ? p : p + this.counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        cands.push({ rule: entry.rule, entry, s, e, rs: p, re: q, start: norm.pos[s]!, end: endOffset(norm, e) });
      }
    }
  }

  /** Occurrences of context and allow-list phrases, from the match buffer of the last `collect`. */
  private phraseOccurrences(table: KeyTable, stream: Int32Array, norm: NormalizedText): Map<number, Occurrence[]> {
    const { automaton, entries } = table;
    const phrases = new Map<number, Occurrence[]>();
    const m = this.matches;
    for (let i = 0; i < m.count; i++) {
      const key = m.keys[i]!;
      if (!this.keyHasPhrase[key]) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries[key]!) {
        if (entry.t !== 'phrase' || !this.runsFit(entry.min, L)) continue;
        const last = m.ends[i]!;
        const s = L === 1 ? p : p + this.counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        let list = phrases.get(entry.phrase);
        if (!list) phrases.set(entry.phrase, (list = []));
        list.push({ s, e });
      }
    }
    return phrases;
  }

  /**
   * Run lengths of the key match ending (first character of its last run) at
   * `last`, into `this.counts`; the first and last kept index of the match
   * including whole runs into `runStart` / `runEnd`.
   */
  private runs(stream: Int32Array, norm: NormalizedText, last: number, L: number): void {
    const gap = norm.gap;
    const n = norm.length;
    const counts = this.counts;
    let q = last;
    while (q + 1 < n && stream[q + 1] === stream[last] && gap[q + 1]! <= MAX_INNER_GAP) q++;
    counts[L - 1] = q - last + 1;
    let p = last;
    for (let k = L - 2; k >= 0; k--) {
      p--;
      const runEnd = p;
      while (p > 0 && stream[p - 1] === stream[runEnd] && gap[p]! <= MAX_INNER_GAP) p--;
      counts[k] = runEnd - p + 1;
    }
    if (L === 1) {
      while (p > 0 && stream[p - 1] === stream[last] && gap[p]! <= MAX_INNER_GAP) p--;
      counts[0] = q - p + 1;
    }
    this.runStart = p;
    this.runEnd = q;
  }

  private runsFit(min: number[], L: number): boolean {
    for (let k = 0; k < L; k++) if (this.counts[k]! < min[k]!) return false;
    return true;
  }

  private collectPatterns(text: string, date: string, norm: NormalizedText, cands: Candidate[]): void {
    const c = this.compiled;
    // Folded text and digit runs computed lazily, at most once per field (plain variables rather than
    // closures: this runs for every field, and tsx's keepNames wraps each named closure it creates).
    let folded: string | null = null;
    let runs: DigitRun[] | null = null;
    for (const r of this.patternRules) {
      const rule = c.rules[r]!;
      const spans: Span[] = [];
      const regexes = this.regexes[r]!;
      for (let j = 0; j < regexes.length; j++) {
        if (!allTriggered(this.prefilters[r]![j]!, norm.triggered)) continue;
        const anchor = this.anchors[r]![j];
        if (anchor) {
          // Anchored at each place a match can start, on a folded window: work proportional to those places.
          for (const ch of anchor.starts) {
            for (let at = text.indexOf(ch); at >= 0; at = text.indexOf(ch, at + 1)) {
              const window = foldText(text.slice(at, at + anchor.maxLength));
              anchor.sticky.lastIndex = 0;
              const m = anchor.sticky.exec(window);
              if (m && m[0].length > 0) spans.push({ start: at, end: at + m[0].length });
            }
          }
          continue;
        }
        const re = regexes[j]!;
        const f = (folded ??= foldText(text));
        re.lastIndex = 0;
        for (let m = re.exec(f); m; m = re.exec(f)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          spans.push({ start: m.index, end: m.index + m[0].length });
        }
      }
      if (rule.validator && rule.validator !== 'past-deadline' && norm.maxDigits < 11) continue;
      switch (rule.validator) {
        case 'cn-id':
          spans.push(...findChineseIds(text, (runs ??= digitRuns(text))));
          break;
        case 'mobile':
          spans.push(...findMobiles(text, (runs ??= digitRuns(text))));
          break;
        case 'bank-card':
          spans.push(...findBankCards(text, (runs ??= digitRuns(text))));
          break;
        case 'past-deadline':
          if (allTriggered(this.prefilters[r]![regexes.length]!, norm.triggered) && mayHaveDeadline(text)) {
            spans.push(...findPastDeadlines((folded ??= foldText(text)), date));
          }
          break;
        default:
          break;
      }
      for (const sp of spans) {
        const s = lowerBound(norm.pos, norm.length, sp.start);
        const e = Math.max(s, lowerBound(norm.pos, norm.length, sp.end) - 1);
        cands.push({ rule: r, entry: null, s, e, rs: s, re: e, start: sp.start, end: sp.end });
      }
    }
  }

  /**
   * Cheap necessary test for strict word boundaries: a common two-character
   * word made of an edge character and its direct neighbour (信息 after
   * 公开信, 便利 after 最大便) means the edge cuts through a word. Saves the
   * segmenter most calls on official text.
   */
  private edgeCutsWord(norm: NormalizedText, s: number, e: number): boolean {
    const pairs = (this.commonPairs ??= bmpPairs(commonWords(BIGRAM_MIN_FREQUENCY)));
    const cp = norm.cp;
    if (s > 0 && norm.gap[s] === 0 && cp[s]! < 65536 && pairs.has(cp[s - 1]! * 65536 + cp[s]!)) return true;
    return e + 1 < norm.length && norm.gap[e + 1] === 0 && cp[e + 1]! < 65536 && pairs.has(cp[e]! * 65536 + cp[e + 1]!);
  }

  private wordsFit(
    norm: NormalizedText,
    s: number,
    e: number,
    strict: boolean,
    cache: Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>,
  ): boolean {
    if (strict && this.edgeCutsWord(norm, s, e)) return false;
    let from = s;
    while (from > 0 && norm.gap[from] !== HARD_GAP && s - from < SEGMENT_WINDOW) from--;
    let to = e;
    while (to + 1 < norm.length && norm.gap[to + 1] !== HARD_GAP && to - e < SEGMENT_WINDOW) to++;
    const id = `${from}:${to}`;
    let seg = cache.get(id);
    if (!seg) {
      const unit = new Int32Array(to - from + 2);
      let str = '';
      for (let i = from; i <= to; i++) {
        unit[i - from] = str.length;
        str += String.fromCodePoint(norm.cp[i]!);
      }
      unit[to - from + 1] = str.length;
      seg = { edges: tokenEdges(str), unit, from };
      cache.set(id, seg);
    }
    return fitsWords(seg.edges, seg.unit[s - seg.from]!, seg.unit[e + 1 - seg.from]!, strict);
  }
}

/** Two-character words of the BMP as `first * 65536 + second`. */
function bmpPairs(words: Map<string, number>): Set<number> {
  const pairs = new Set<number>();
  for (const w of words.keys()) {
    if (w.length === 2) pairs.add(w.charCodeAt(0) * 65536 + w.charCodeAt(1));
  }
  return pairs;
}

/**
 * A lexicon word inside a longer lexicon word at the same place (近平 in
 * 习近平) is the author's longer word, not a separate finding: it is dropped
 * (rule set to -1) before the expensive checks.
 */
function dropNestedLexiconWords(c: CompiledRules, cands: Candidate[]): void {
  const lex = cands.filter((x) => c.rules[x.rule]!.lexicon);
  if (lex.length < 2) return;
  lex.sort((a, b) => a.start - b.start || b.end - a.end);
  let outerStart = -1;
  let outerEnd = -1;
  for (const x of lex) {
    if (x.end <= outerEnd && !(x.start === outerStart && x.end === outerEnd)) x.rule = -1;
    else if (x.end > outerEnd) {
      outerStart = x.start;
      outerEnd = x.end;
    }
  }
}

/** Whether every trigger bit in `bits` is set in `triggered`. */
function allTriggered(bits: readonly number[], triggered: number): boolean {
  for (let i = 0; i < bits.length; i++) if ((triggered & bits[i]!) === 0) return false;
  return true;
}

function ruleIdOf(c: CompiledRules, cand: Candidate): string {
  const id = c.rules[cand.rule]!.id;
  return cand.entry?.line !== undefined ? `${id}:${cand.entry.line}` : id;
}

function lowerBound(a: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An ASCII edge of a term must not continue a word or number of the text:
 * the neighbouring character must not be an ASCII letter or digit right next
 * to it, and a digit edge must not continue a number across a decimal point,
 * a comma or table spacing (24 in 2024, 89 in 7.89, 10010 in 1\t0\t0\t1\t0\t64).
 */
function asciiEdgeOk(norm: NormalizedText, at: number, dir: -1 | 1): boolean {
  const inner = norm.cp[at]!;
  const nb = at + dir;
  if (nb < 0 || nb >= norm.length) return true;
  const g = dir < 0 ? norm.gap[at]! : norm.gap[nb]!;
  const other = norm.cp[nb]!;
  if (g === 0) return !isAsciiAlnum(other);
  return !(isDigit(inner) && isDigit(other) && g <= MAX_INNER_GAP);
}

function contextHolds(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, s: number, e: number): boolean {
  for (const ph of ctx.phrases) {
    const occ = phrases.get(ph);
    if (!occ) continue;
    for (const o of occ) {
      const before = o.e < s && s - o.e - 1 <= ctx.within;
      const after = o.s > e && o.s - e - 1 <= ctx.within;
      if (ctx.side === 'before' ? before : ctx.side === 'after' ? after : before || after || (o.s <= e && o.e >= s)) return true;
    }
  }
  return false;
}

function covered(ids: readonly number[], phrases: Map<number, Occurrence[]>, s: number, e: number): boolean {
  for (const ph of ids) {
    const occ = phrases.get(ph);
    if (!occ) continue;
    for (const o of occ) if (o.s <= s && o.e >= e) return true;
  }
  return false;
}

/** Builds an engine from packs held in memory (files, database rows, tests). */
export function createRuleEngine(packs: readonly PackInput[], opts: CompileOptions = {}): RuleEngine {
  return new RuleEngine(compileRules(packs, opts));
}

/**
 * Builds an engine from a pack directory (default `<repo>/rules`) plus plain
 * lexicons; synchronous so a worker thread can construct one at start-up.
 * Throws PackError on a malformed pack. With `cacheDir`, compiled packs are
 * reused across processes when their content hash matches.
 */
export function loadRuleEngine(opts: RuleEngineOptions = {}): RuleEngine {
  const dir = opts.rulesDir ?? defaultRulesDir();
  const packs: PackInput[] = [...loadPackDir(dir), ...(opts.extraPacks ?? [])];
  const lexicons = (opts.lexicons ?? []).map(loadLexicon);
  const compileOpts: CompileOptions = { lexicons, ...(opts.lexiconPolicy ? { lexiconPolicy: opts.lexiconPolicy } : {}) };
  if (opts.cacheDir) {
    const version = rulesVersion(packs, compileOpts);
    const cached = loadCompiled(opts.cacheDir, version);
    if (cached) return new RuleEngine(cached);
    const compiled = compileRules(packs, compileOpts);
    try {
      saveCompiled(opts.cacheDir, compiled);
    } catch (err) {
      compiled.diagnostics.push({ source: opts.cacheDir, message: `cache not written: ${(err as Error).message}` });
    }
    return new RuleEngine(compiled);
  }
  return createRuleEngine(packs, compileOpts);
}
