/**
 * The rule engine: the rule half of machine review (`RuleMatcher`).
 *
 * A scan normalises each field (normalize.ts), runs the compiled automaton
 * (automaton.ts) and, for homophone rules, the syllable automaton; verifies
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
import { automatonBytes, emptyMatches, MAX_INNER_GAP, scanAutomaton, type MatchBuffer } from './automaton.js';
import { loadCompiled, saveCompiled } from './cache.js';
import { compileRules, rulesVersion, type CompiledContext, type CompiledRules, type CompileOptions, type KeyEntry, type KeyTable, type PackInput } from './compile.js';
import { loadLexicon, type LexiconPolicy } from './lexicon.js';
import { emptyNormalized, endOffset, foldText, HARD_GAP, normalize, type NormalizedText } from './normalize.js';
import { loadPackDir } from './pack.js';
import { syllables } from './phonetic.js';
import { fitsWords, tokenEdges } from './segment.js';
import { findBankCards, findChineseIds, findMobiles, findPastDeadlines, type Span } from './validators.js';

/** `<repo>/rules`. */
export const DEFAULT_RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../rules');

export interface RuleEngineOptions {
  /** Pack directory (default `<repo>/rules`). */
  rulesDir?: string;
  /** Plain word lists loaded as extra `review` rules. */
  lexicons?: string[];
  /** Directory for compiled packs keyed by content hash; skips compilation on a hit. */
  cacheDir?: string;
  lexiconPolicy?: LexiconPolicy;
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

const SEGMENT_WINDOW = 16;
const isAsciiAlnum = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122);
const isDigit = (cp: number) => cp >= 48 && cp <= 57;
const HAN = /\p{Script=Han}/u;

export class RuleEngine implements RuleMatcher {
  readonly version: string;
  private readonly regexes: RegExp[][];
  private readonly hasPatterns: boolean;
  private readonly norm: NormalizedText = emptyNormalized(4096);
  private readonly matches: MatchBuffer = emptyMatches();
  private readonly counts = new Int32Array(1024);
  private syl = new Int32Array(0);

  constructor(readonly compiled: CompiledRules) {
    this.version = compiled.version;
    this.regexes = compiled.rules.map((r) => r.patterns.map((p) => new RegExp(p, 'giu')));
    this.hasPatterns = compiled.rules.some((r) => r.patterns.length > 0 || r.validator);
  }

  /** Problems and notes from compilation (rewritten patterns, lexicon triage). */
  get diagnostics() {
    return this.compiled.diagnostics;
  }

  /** Bytes held by the compiled automata. */
  get compiledBytes(): number {
    return automatonBytes(this.compiled.text.automaton) + (this.compiled.phonetic ? automatonBytes(this.compiled.phonetic.automaton) : 0);
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
    const norm = normalize(text, this.norm);
    const phrases = new Map<number, Occurrence[]>();
    const cands: Candidate[] = [];
    this.collect(c.text, norm.cp, norm, phrases, cands);
    if (c.phonetic) {
      const ids = syllables().ids;
      if (this.syl.length < norm.length) this.syl = new Int32Array(Math.max(norm.length, this.syl.length * 2));
      const syl = this.syl;
      for (let i = 0; i < norm.length; i++) {
        const cp = norm.cp[i]!;
        syl[i] = cp < 65536 ? ids[cp]! : 0;
      }
      this.collect(c.phonetic, syl, norm, phrases, cands);
    }
    if (this.hasPatterns) this.collectPatterns(text, date, norm, cands);

    const segCache = new Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>();
    const kept: Array<{ cand: Candidate; lexicon: boolean }> = [];
    for (const cand of cands) {
      const rule = c.rules[cand.rule]!;
      if (rule.validFrom && date < rule.validFrom) continue;
      if (rule.validUntil && date >= rule.validUntil) continue;
      const entry = cand.entry;
      if (entry && entry.boundary !== 'none') {
        if (entry.asciiStart && !asciiEdgeOk(norm, cand.s, -1)) continue;
        if (entry.asciiEnd && !asciiEdgeOk(norm, cand.e, 1)) continue;
        if (!(entry.asciiStart && entry.asciiEnd) && HAN.test(text.slice(cand.start, cand.end))) {
          const strict = entry.boundary === 'word' || entry.kind === 'homophone';
          // Repeated characters confuse the segmenter; the span with whole runs may fit where the trimmed one does not.
          const fits =
            this.wordsFit(norm, cand.s, cand.e, strict, segCache) ||
            ((cand.rs !== cand.s || cand.re !== cand.e) && this.wordsFit(norm, cand.rs, cand.re, strict, segCache));
          if (!fits) continue;
        }
      }
      if (rule.near && !contextHolds(rule.near, phrases, cand.s, cand.e)) continue;
      if (covered(rule.unlessPhrases, phrases, cand.s, cand.e)) continue;
      if (covered(c.allow, phrases, cand.s, cand.e)) continue;
      if (rule.unlessNear.some((ctx) => contextHolds(ctx, phrases, cand.s, cand.e))) continue;
      if (rule.lexicon && c.lexiconUnless.some((ctx) => contextHolds(ctx, phrases, cand.s, cand.e))) continue;
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

  /** Runs one automaton and turns verified key matches into term candidates and phrase occurrences. */
  private collect(table: KeyTable, stream: Int32Array, norm: NormalizedText, phrases: Map<number, Occurrence[]>, cands: Candidate[]): void {
    const { automaton, entries } = table;
    scanAutomaton(automaton, stream, norm.gap, norm.length, this.matches);
    const m = this.matches;
    const gap = norm.gap;
    const n = norm.length;
    const counts = this.counts;
    for (let i = 0; i < m.count; i++) {
      const key = m.keys[i]!;
      const last = m.ends[i]!;
      const L = automaton.keyLength[key]!;
      if (L > counts.length) continue;
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
      for (const entry of entries[key]!) {
        let ok = true;
        for (let k = 0; k < L; k++) {
          if (counts[k]! < entry.min[k]!) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        // Interior runs are reported whole; the outer runs only as far as the term needs
        // (中华民国国旗 reports 中华民国, not 中华民国国).
        const s = L === 1 ? p : p + counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        if (entry.t === 'phrase') {
          let list = phrases.get(entry.phrase);
          if (!list) phrases.set(entry.phrase, (list = []));
          list.push({ s, e });
        } else {
          cands.push({ rule: entry.rule, entry, s, e, rs: p, re: q, start: norm.pos[s]!, end: endOffset(norm, e) });
        }
      }
    }
  }

  private collectPatterns(text: string, date: string, norm: NormalizedText, cands: Candidate[]): void {
    const folded = foldText(text);
    const c = this.compiled;
    c.rules.forEach((rule, r) => {
      const spans: Span[] = [];
      for (const re of this.regexes[r]!) {
        re.lastIndex = 0;
        for (let m = re.exec(folded); m; m = re.exec(folded)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          spans.push({ start: m.index, end: m.index + m[0].length });
        }
      }
      switch (rule.validator) {
        case 'cn-id':
          spans.push(...findChineseIds(folded));
          break;
        case 'mobile':
          spans.push(...findMobiles(folded));
          break;
        case 'bank-card':
          spans.push(...findBankCards(folded));
          break;
        case 'past-deadline':
          spans.push(...findPastDeadlines(folded, date));
          break;
        default:
          break;
      }
      for (const sp of spans) {
        const s = lowerBound(norm.pos, norm.length, sp.start);
        const e = Math.max(s, lowerBound(norm.pos, norm.length, sp.end) - 1);
        cands.push({ rule: r, entry: null, s, e, rs: s, re: e, start: sp.start, end: sp.end });
      }
    });
  }

  private wordsFit(
    norm: NormalizedText,
    s: number,
    e: number,
    strict: boolean,
    cache: Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>,
  ): boolean {
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

function ruleIdOf(c: CompiledRules, cand: Candidate): string {
  return cand.entry?.ruleId ?? c.rules[cand.rule]!.id;
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
  const dir = opts.rulesDir ?? DEFAULT_RULES_DIR;
  const packs = loadPackDir(dir);
  const lexicons = (opts.lexicons ?? []).map(loadLexicon);
  const compileOpts: CompileOptions = { lexicons, ...(opts.lexiconPolicy ? { lexiconPolicy: opts.lexiconPolicy } : {}) };
  if (opts.cacheDir) {
    const version = rulesVersion(packs, compileOpts);
    const cached = loadCompiled(opts.cacheDir, version);
    if (cached) return new RuleEngine(cached);
    const compiled = compileRules(packs, compileOpts);
    saveCompiled(opts.cacheDir, compiled);
    return new RuleEngine(compiled);
  }
  return createRuleEngine(packs, compileOpts);
}
