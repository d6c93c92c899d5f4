/**
 * The rule engine: the rule half of machine review (`RuleMatcher`).
 *
 * A scan normalises each field (normalize.ts), runs the compiled automaton
 * (automaton.ts) once — every variant of every term and every knowledge
 * anchor is in it —, adds pattern and validator candidates
 * (pattern-stage.ts), replaces knowledge anchors by what their checks find
 * (knowledge.ts), verifies each candidate (candidates.ts: repeat counts, ASCII
 * edges, validity window, contexts, exceptions and allow-lists; word-fit.ts:
 * word boundaries), and reports every finding with offsets into the original
 * field.
 *
 * An engine owns its scratch buffers and is not shared between threads: each
 * worker thread builds its own from a directory (`loadRuleEngine`) or from
 * in-memory packs (`createRuleEngine`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Field, Hit, ReviewInput, RuleMatcher } from '../review/types.js';
import { automatonBytes, emptyMatches, MAX_INNER_GAP, type MatchBuffer } from './automaton.js';
import { loadCompiled, saveCompiled } from './cache.js';
import { asciiEdgeOk, candidate, anyContextHolds, covered, digitsJoined, dropNestedLexiconWords, evaded, hasHan, sameCategoryOutranks, Sentences, type Candidate, type Occurrence } from './candidates.js';
import { dictionarySegmenter, type DictionarySegmenter, type TokenEdges } from './dictionary-segmenter.js';
import { checkKnowledge, knowledgeOrder } from './knowledge.js';
import { PatternStage } from './pattern-stage.js';
import { WordFit, type SegmentCache } from './word-fit.js';
import { COMPILER_VERSION, compileRules, KEY_HAS_PHRASE, KEY_HAS_TERM, rulesVersion, type CompiledRules, type CompileOptions, type KeyTable, type PackInput } from './compile.js';
import { parseLexicon, type LexiconPolicy } from './lexicon.js';
import { charTable, emptyNormalized, endOffset, type CharTable, normalize, type NormalizedText } from './normalize.js';
import { parsePacks, readPackDir } from './pack.js';

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

export class RuleEngine implements RuleMatcher {
  readonly version: string;
  /** Patterns, validators and `followedBy` (pattern-stage.ts). */
  private readonly patterns: PatternStage;
  /** Word boundaries of terms in running text (word-fit.ts). */
  private readonly words: WordFit;
  /** The normaliser's table, carrying the trigger bits of each code unit (see PatternStage). */
  private readonly chars: CharTable;
  private readonly norm: NormalizedText = emptyNormalized(4096);
  private readonly matches: MatchBuffer = emptyMatches();
  private readonly counts = new Int32Array(1024);
  private runStart = 0;
  private runEnd = 0;
  /** Per key: whether it carries rule terms / context or allow-list phrases (KEY_HAS_TERM, KEY_HAS_PHRASE). */
  private readonly keyKinds: Uint8Array;

  /** `segment`: jieba's segmentation for word boundaries (default: the native segmenter). */
  constructor(
    readonly compiled: CompiledRules,
    segment?: TokenEdges,
  ) {
    this.words = new WordFit(segment);
    this.version = compiled.version;
    this.patterns = new PatternStage(compiled);
    this.chars = charTable(this.patterns.triggers, compiled.text.automaton);
    this.keyKinds = compiled.text.entries.kinds;
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
    this.patterns.collect(text, date, norm, cands);
    if (cands.length === 0) return;
    // Knowledge anchors (a leader's name in nearly every official text) mostly check out fine: expand them first,
    // and read the context phrases only if a candidate is left.
    if (c.knowledge) this.expandKnowledge(cands, norm, text, date);
    if (!anyLive(cands)) return;
    const phrases = this.phraseOccurrences(c.text, norm.cp, norm);
    dropNestedLexiconWords(c, cands);

    const segCache: SegmentCache = new Map();
    const kept: Array<{ cand: Candidate; lexicon: boolean }> = [];
    let sentence: Sentences | null = null;
    for (const cand of cands) {
      if (cand.rule < 0) continue;
      const rule = c.rules[cand.rule]!;
      if (rule.validFrom && date < rule.validFrom) continue;
      if (rule.validUntil && date >= rule.validUntil) continue;
      const scope = (sentence ??= new Sentences(text, norm));
      // A required context is waived for an evaded spelling (贝者十尃, 堵博, 赌*博): nobody writes a word that way by accident.
      if (rule.near && !evaded(norm, cand) && (phrases.size === 0 || !anyContextHolds(rule.near, phrases, cand, scope, false))) continue;
      // Exceptions and allow-lists need a phrase in the text; most fields have none.
      if (phrases.size > 0) {
        if (covered(rule.unlessPhrases, phrases, cand.s, cand.e)) continue;
        if (covered(c.allow, phrases, cand.s, cand.e)) continue;
        if (anyContextHolds(rule.unlessNear, phrases, cand, scope, true)) continue;
        if (anyContextHolds(rule.unlessInfo, phrases, cand, scope, true)) cand.info = true;
        if (rule.lexicon && anyContextHolds(c.lexiconUnless, phrases, cand, scope, true)) continue;
      }
      const entry = cand.entry;
      const follower = this.patterns.hasFollower(cand.rule);
      // Cheaper than segmentation, and most handles (微信) have no id after them.
      if (follower && !this.patterns.follow(text, norm, cand)) continue;
      if (entry && entry.boundary !== 'none') {
        if (entry.asciiStart && !asciiEdgeOk(norm, cand.s, -1)) continue;
        // What may follow a term with a `followedBy` pattern is that pattern's business (vx123456).
        if (entry.asciiEnd && !follower && !asciiEdgeOk(norm, cand.e, 1)) continue;
        if (entry.kind === 'numerals' && !digitsJoined(norm, cand.s, cand.e)) continue;
        // Segmentation last: it is the expensive check.
        if (!(entry.asciiStart && entry.asciiEnd) && hasHan(norm, cand.s, cand.e)) {
          const strict = entry.boundary === 'word' || entry.kind === 'homophone';
          // Repeated characters confuse the segmenter; the span with whole runs may fit where the trimmed one does not.
          const fits =
            this.words.fits(norm, cand.s, cand.e, strict, segCache) ||
            ((cand.rs !== cand.s || cand.re !== cand.e) && this.words.fits(norm, cand.rs, cand.re, strict, segCache));
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
        // A shorter finding of the same category inside a weightier one says nothing more (赌博 in 赌博网站).
        else if (inside && !k.lexicon && !r.lexicon && sameCategoryOutranks(c, r.cand, k.cand)) drop = true;
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
      const suggestion = cand.suggestion ?? cand.entry?.suggestion ?? rule.suggestion;
      let message = cand.message ?? rule.message;
      if (cand.entry && cand.entry.kind !== 'exact' && message) message = `${message}（变体写法，原词：${cand.entry.term}）`;
      if (cand.info && message) message = `${message}（出现在警示、禁止或报道语境中，仅供参考）`;
      out.push({
        field,
        start: cand.start,
        end: cand.end,
        text: text.slice(cand.start, cand.end),
        rule: ruleIdOf(c, cand),
        category: rule.category,
        gate: rule.gate,
        severity: cand.info ? 'low' : rule.severity,
        action: cand.info ? 'info' : rule.action,
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
      if (!(this.keyKinds[key]! & KEY_HAS_TERM)) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries.of(key)) {
        if (entry.t !== 'term' || !this.runsFit(entry.min, L)) continue;
        const last = m.ends[i]!;
        const s = L === 1 ? p : p + this.counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        cands.push(candidate(entry.rule, entry, s, e, p, q, norm.pos[s]!, endOffset(norm, e)));
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
      if (!(this.keyKinds[key]! & KEY_HAS_PHRASE)) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries.of(key)) {
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

  /**
   * Replaces each knowledge anchor found by the automaton (a leader's name, a
   * title, a formulation's anchor) with what its check finds there, if anything.
   */
  private expandKnowledge(cands: Candidate[], norm: NormalizedText, text: string, date: string): void {
    const c = this.compiled;
    const k = c.knowledge!;
    const n = cands.length;
    let any = false;
    for (let i = 0; i < n && !any; i++) any = cands[i]!.rule >= 0 && c.rules[cands[i]!.rule]!.knowledge !== undefined;
    if (!any) return;
    const input = { norm, text, date, memo: new Map() };
    // Correct formulation wordings first (knowledgeOrder), then every other anchor.
    const order: number[] = [];
    for (let i = 0; i < n; i++) if (cands[i]!.entry && c.rules[cands[i]!.rule]?.knowledge) order.push(i);
    order.sort((x, y) => knowledgeOrder(k, cands[x]!.entry!.term) - knowledgeOrder(k, cands[y]!.entry!.term) || x - y);
    for (const i of order) {
      const cand = cands[i]!;
      const check = cand.rule >= 0 ? c.rules[cand.rule]!.knowledge : undefined;
      if (!check || !cand.entry) continue;
      const rule = cand.rule;
      cand.rule = -1;
      // Whole runs (李李强 for 李强), so the characters beside the occurrence are what follows the repeats.
      for (const f of checkKnowledge(check, k, cand.entry.term, cand.rs, cand.re, input)) {
        cands.push(candidate(rule, null, f.s, f.e, f.s, f.e, norm.pos[f.s]!, endOffset(norm, f.e), f.message || undefined, f.suggestion || undefined));
      }
    }
  }
}

/** Whether a candidate is left (not dropped by setting its rule to -1). */
function anyLive(cands: readonly Candidate[]): boolean {
  for (let i = 0; i < cands.length; i++) if (cands[i]!.rule >= 0) return true;
  return false;
}

function ruleIdOf(c: CompiledRules, cand: Candidate): string {
  const id = c.rules[cand.rule]!.id;
  return cand.entry?.line !== undefined ? `${id}:${cand.entry.line}` : id;
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
  const sources = readPackDir(dir);
  const lexiconTexts = (opts.lexicons ?? []).map((file) => ({ name: basename(file), text: readFileSync(file, 'utf8') }));
  const policy = opts.lexiconPolicy ? { lexiconPolicy: opts.lexiconPolicy } : {};
  const cacheDir = opts.cacheDir;
  // With a cache, the exact bytes of packs and lexicons name the compiled rules: a hit needs no YAML parsing,
  // schema validation or lexicon triage at all (the version recorded in reviews is read from the cache file).
  const sourceKey = cacheDir ? sourceHash(sources, lexiconTexts, opts) : null;
  if (cacheDir && sourceKey) {
    const version = readSourceIndex(cacheDir, sourceKey);
    const cached = version ? loadCompiled(cacheDir, version) : null;
    if (cached) return new RuleEngine(cached, cachedSegmenter(cacheDir));
  }
  const packs: PackInput[] = [...parsePacks(sources), ...(opts.extraPacks ?? [])];
  const compileOpts: CompileOptions = { lexicons: lexiconTexts.map((l) => parseLexicon(l.text, l.name)), ...policy };
  if (!cacheDir || !sourceKey) return createRuleEngine(packs, compileOpts);
  const version = rulesVersion(packs, compileOpts);
  const compiled = loadCompiled(cacheDir, version) ?? compileRules(packs, compileOpts);
  try {
    saveCompiled(cacheDir, compiled);
    writeSourceIndex(cacheDir, sourceKey, compiled.version);
  } catch (err) {
    compiled.diagnostics.push({ source: cacheDir, message: `cache not written: ${(err as Error).message}` });
  }
  return new RuleEngine(compiled, cachedSegmenter(cacheDir));
}

/**
 * With a cache directory, jieba's dictionary compiled there too (a few
 * milliseconds to load against 200 for the native segmenter), loaded the
 * first time a candidate needs word boundaries.
 */
function cachedSegmenter(cacheDir: string): TokenEdges {
  let segmenter: DictionarySegmenter | null = null;
  return (text) => (segmenter ??= dictionarySegmenter(cacheDir)).tokenEdges(text);
}

/** Hash of everything a compilation reads, byte for byte (packs, lexicons, database packs, policy, compiler). */
function sourceHash(sources: ReadonlyArray<{ source: string; text: string }>, lexicons: ReadonlyArray<{ name: string; text: string }>, opts: RuleEngineOptions): string {
  const h = createHash('sha256').update(COMPILER_VERSION);
  for (const s of sources) h.update(`\0pack:${basename(s.source)}\0`).update(s.text);
  for (const l of lexicons) h.update(`\0lexicon:${l.name}\0`).update(l.text);
  h.update(`\0extra\0${JSON.stringify(opts.extraPacks?.map((p) => p.pack) ?? [])}`);
  h.update(`\0policy\0${JSON.stringify(opts.lexiconPolicy ?? null)}`);
  return h.digest('hex').slice(0, 24);
}

const sourceIndexFile = (dir: string, key: string) => join(dir, `sources-${key}.txt`);

function readSourceIndex(dir: string, key: string): string | null {
  try {
    return readFileSync(sourceIndexFile(dir, key), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function writeSourceIndex(dir: string, key: string, version: string): void {
  const file = sourceIndexFile(dir, key);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${version}\n`);
  renameSync(tmp, file);
}
