/**
 * Compiles validated packs (and plain lexicons) into the tables the engine
 * scans with. Pure: the same packs give the same compiled rules and the same
 * `version` hash, wherever the packs came from (files, the compliance API's
 * database, a test). Everything compiled is plain data + typed arrays so it
 * can be cached on disk (cache.ts).
 */
import { createHash } from 'node:crypto';
import type { Action, Category, Gate, Severity } from '../review/types.js';
import { CATEGORY_GATE } from '../review/types.js';
import { buildAutomaton, type AutomatonData } from './automaton.js';
import { DEFAULT_LEXICON_POLICY, triageKey, type Lexicon, type LexiconPolicy, type LexiconVerdict } from './lexicon.js';
import { termKey } from './normalize.js';
import { compileKnowledge, knowledgeAnchors, type CompiledKnowledge } from './knowledge.js';
import type { Boundary, ContextRef, ContextSpec, KnowledgeCheck, PackSpec, RuleSpec, ValidatorName } from './pack.js';
import { checkPattern } from './regex-safety.js';
import { termVariants, type VariantKind } from './variants.js';

/** Bumped whenever the compiled layout or matching semantics change (invalidates caches). */
export const COMPILER_VERSION = 'lastgate-rules/4';

export interface CompiledContext {
  phrases: number[];
  /** Distance in kept characters; SENTENCE for the same sentence. */
  within: number;
  side: 'before' | 'after' | 'around';
  /** Phrases that end the scope when they lie between the cue and the finding. */
  stops: number[];
  /** Phrases in which a cue is not a cue. */
  pseudo: number[];
}

/** `within` of a context scoped to the sentence. */
export const SENTENCE = -1;

export interface CompiledRule {
  id: string;
  category: Category;
  gate: Gate;
  severity: Severity;
  action: Action;
  message?: string;
  suggestion?: string;
  validFrom?: string;
  validUntil?: string;
  /** The rule fires only when one of these holds. */
  near?: CompiledContext[];
  unlessPhrases: number[];
  unlessNear: CompiledContext[];
  /** Contexts in which a finding is kept as info instead of reported with the rule's action. */
  unlessInfo: CompiledContext[];
  knowledge?: KnowledgeCheck;
  /** Safe (possibly rewritten) pattern sources. */
  patterns: string[];
  /** Safe pattern that must match right after a term of the rule. */
  followedBy?: string;
  validator?: ValidatorName;
  /** From a plain lexicon: subject to the packs' `lexiconUnless` contexts, yields to pack findings. */
  lexicon: boolean;
  /** Pack file or lexicon the rule came from. */
  source: string;
}

/** What the automaton found: a rule term (variant) or a context / allow-list phrase. */
export type KeyEntry = TermEntry | { t: 'phrase'; phrase: number; min: number[] };

/** A rule term (one variant of it) found by the automaton. */
export interface TermEntry {
  t: 'term';
  rule: number;
  /** Lexicon terms: line in the word list; the finding's rule id is `<rule id>:<line>` (`lexicon:<file>:<line>`). */
  line?: number;
  /** The term as written in the rule. */
  term: string;
  min: number[];
  boundary: Boundary;
  asciiStart: boolean;
  asciiEnd: boolean;
  kind: VariantKind;
  suggestion?: string;
}

/**
 * A term entry with every field present in one order (absent ones
 * undefined): entries of one shape keep the engine's loops over them
 * monomorphic.
 */
export function termEntry(e: Omit<TermEntry, 't'>): TermEntry {
  return {
    t: 'term',
    rule: e.rule,
    line: e.line,
    term: e.term,
    min: e.min,
    boundary: e.boundary,
    asciiStart: e.asciiStart,
    asciiEnd: e.asciiEnd,
    kind: e.kind,
    suggestion: e.suggestion,
  };
}

/** Bits of `KeyEntries.kinds`. */
export const KEY_HAS_TERM = 1;
export const KEY_HAS_PHRASE = 2;

/**
 * The entries of each key id, read one key at a time: a table loaded from
 * the cache decodes a key's entries only when a text matches it, so a
 * process that scans one post does not build 50,000 entry objects first.
 */
export interface KeyEntries {
  readonly size: number;
  /** Per key: KEY_HAS_TERM when it carries a rule term, KEY_HAS_PHRASE a context or allow-list phrase. */
  readonly kinds: Uint8Array;
  of(key: number): readonly KeyEntry[];
}

/** Key entries held as arrays, as the compiler builds them. */
export function keyEntries(lists: KeyEntry[][]): KeyEntries {
  const kinds = Uint8Array.from(lists, (list) => list.reduce((k, e) => k | (e.t === 'term' ? KEY_HAS_TERM : KEY_HAS_PHRASE), 0));
  return { size: lists.length, kinds, of: (key) => lists[key]! };
}

export interface KeyTable {
  automaton: AutomatonData;
  entries: KeyEntries;
}

export interface Diagnostic {
  source: string;
  message: string;
}

export interface CompiledRules {
  version: string;
  rules: CompiledRule[];
  /** The automaton over normalised characters, with every term variant and phrase. */
  text: KeyTable;
  phrases: string[];
  /** Phrases that make any finding inside them fine. */
  allow: number[];
  lexiconUnless: CompiledContext[];
  /** The packs' knowledge tables, merged; null when no pack has any. */
  knowledge: CompiledKnowledge | null;
  diagnostics: Diagnostic[];
  stats: { rules: number; terms: number; keys: number; lexiconTerms: Record<LexiconVerdict, number> };
}

export interface PackInput {
  /** File path or other origin, used in diagnostics. */
  source: string;
  pack: PackSpec;
}

export interface CompileOptions {
  lexicons?: Lexicon[];
  lexiconPolicy?: LexiconPolicy;
  /** Category of lexicon rules (default `wording`, gate `text`). */
  lexiconCategory?: Category;
}

const isAsciiAlnum = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122);

/** Content hash of everything that determines the compiled rules. */
export function rulesVersion(packs: readonly PackInput[], opts: CompileOptions = {}): string {
  const h = createHash('sha256');
  h.update(COMPILER_VERSION);
  for (const p of [...packs].sort((a, b) => a.pack.pack.localeCompare(b.pack.pack))) h.update(JSON.stringify(p.pack));
  for (const l of opts.lexicons ?? []) {
    h.update(`\0lexicon:${l.name}\0${l.digest}`);
  }
  h.update(JSON.stringify(opts.lexiconPolicy ?? DEFAULT_LEXICON_POLICY));
  h.update(opts.lexiconCategory ?? 'wording');
  return h.digest('hex').slice(0, 16);
}

class KeyBuilder {
  keys: string[] = [];
  entries: KeyEntry[][] = [];
  private ids = new Map<string, number>();

  add(k: string, entry: KeyEntry): void {
    if (k.length === 0) return;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(k, id);
      this.keys.push(k);
      this.entries.push([]);
    }
    this.entries[id]!.push(entry);
  }

  build(): KeyTable {
    return { automaton: buildAutomaton(this.keys), entries: keyEntries(this.entries) };
  }
}

/**
 * Compiles packs and lexicons. Throws on a dangerous pattern (packs validated
 * by PackSchema never have one). Disabled rules are left out.
 */
export function compileRules(packs: readonly PackInput[], opts: CompileOptions = {}): CompiledRules {
  const text = new KeyBuilder();
  const rules: CompiledRule[] = [];
  const phrases: string[] = [];
  const phraseIds = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  let termCount = 0;

  const phrase = (p: string): number => {
    let id = phraseIds.get(p);
    if (id === undefined) {
      id = phrases.length;
      phrases.push(p);
      phraseIds.set(p, id);
      const k = termKey(p);
      text.add(k.keyText, { t: 'phrase', phrase: id, min: k.min });
    }
    return id;
  };
  const compileContext = (c: ContextSpec): CompiledContext => ({
    phrases: c.terms.map(phrase),
    within: c.within === 'sentence' ? SENTENCE : c.within,
    side: c.side,
    stops: (c.stop ?? []).map(phrase),
    pseudo: (c.pseudo ?? []).map(phrase),
  });
  // Named contexts of every pack, resolved by name from any pack's rules.
  const named = new Map<string, { spec: ContextSpec; source: string; compiled?: CompiledContext }>();
  for (const { source, pack } of packs) {
    for (const [name, spec] of Object.entries(pack.contexts ?? {})) {
      const other = named.get(name);
      if (other) throw new Error(`${source}: context ${name} already defined in ${other.source}`);
      named.set(name, { spec, source });
    }
  }
  const context = (ref: ContextRef, source: string): CompiledContext => {
    if (typeof ref !== 'string') return compileContext(ref);
    const n = named.get(ref);
    if (!n) throw new Error(`${source}: unknown context ${ref} (define it under a pack's contexts)`);
    return (n.compiled ??= compileContext(n.spec));
  };

  const allow: number[] = [];
  const lexiconUnless: CompiledContext[] = [];
  const knowledge = compileKnowledge(packs.flatMap((p) => (p.pack.tables ? [p.pack.tables] : [])));

  const ruleSources = new Map<string, string>();
  for (const { source, pack } of packs) {
    for (const r of pack.rules) {
      const other = ruleSources.get(r.id);
      if (other !== undefined) throw new Error(`${source}: rule id ${r.id} already defined in ${other}`);
      ruleSources.set(r.id, source);
    }
  }

  for (const { source, pack } of packs) {
    for (const a of pack.allow ?? []) allow.push(phrase(a));
    for (const c of pack.lexiconUnless ?? []) lexiconUnless.push(context(c, source));
    for (const r of pack.rules) {
      if (!r.enabled) continue;
      const ruleIndex = rules.length;
      rules.push(compileRule(r, source, (c) => context(c, source), phrase, diagnostics));
      if (r.knowledge) {
        if (!knowledge) throw new Error(`${source}: ${r.id}: knowledge rule without knowledge tables in any pack`);
        for (const anchor of knowledgeAnchors(r.knowledge, knowledge)) {
          const k = termKey(anchor);
          if (k.key.length === 0) continue;
          termCount++;
          text.add(k.keyText, { t: 'term', rule: ruleIndex, term: anchor, min: k.min, boundary: 'none', asciiStart: false, asciiEnd: false, kind: 'exact' });
        }
      }
      for (const term of r.terms ?? []) {
        termCount++;
        const spec = typeof term === 'string' ? { text: term } : term;
        const o = { ...r.options, ...(typeof term === 'string' ? {} : term) };
        const boundary = o.boundary ?? 'auto';
        const suggestion = typeof term === 'string' ? undefined : term.suggestion;
        for (const v of termVariants(spec.text, o)) {
          const k = termKey(v.text);
          if (k.key.length === 0) {
            diagnostics.push({ source, message: `${r.id}: term "${spec.text}" has no letters or digits; ignored` });
            continue;
          }
          text.add(
            k.keyText,
            termEntry({
              rule: ruleIndex,
              term: spec.text,
              min: k.min,
              boundary,
              asciiStart: isAsciiAlnum(k.key[0]!),
              asciiEnd: isAsciiAlnum(k.key[k.key.length - 1]!),
              kind: v.kind,
              ...(suggestion ? { suggestion } : {}),
            }),
          );
        }
      }
    }
  }

  const lexiconTerms: Record<LexiconVerdict, number> = { ok: 0, empty: 0, short: 0, common: 0 };
  const policy = opts.lexiconPolicy ?? DEFAULT_LEXICON_POLICY;
  const category = opts.lexiconCategory ?? 'wording';
  for (const lex of opts.lexicons ?? []) {
    const ruleIndex = rules.length;
    rules.push({
      id: `lexicon:${lex.name}`,
      category,
      gate: CATEGORY_GATE[category],
      severity: 'medium',
      action: 'review',
      message: `命中词表 ${lex.name}，请人工确认`,
      unlessPhrases: [],
      unlessNear: [],
      unlessInfo: [],
      patterns: [],
      lexicon: true,
      source: lex.name,
    });
    const counts: Record<LexiconVerdict, number> = { ok: 0, empty: 0, short: 0, common: 0 };
    for (const t of lex.terms) {
      const k = termKey(t.text);
      const verdict = triageKey(k, policy);
      counts[verdict]++;
      lexiconTerms[verdict]++;
      if (verdict !== 'ok') continue;
      termCount++;
      text.add(
        k.keyText,
        termEntry({
          rule: ruleIndex,
          line: t.line,
          term: t.text,
          min: k.min,
          boundary: 'word',
          asciiStart: isAsciiAlnum(k.key[0]!),
          asciiEnd: isAsciiAlnum(k.key[k.key.length - 1]!),
          kind: 'exact',
        }),
      );
    }
    diagnostics.push({
      source: lex.name,
      message: `${lex.terms.length} terms: ${counts.ok} used, ${counts.common} general-vocabulary words, ${counts.short} too short, ${counts.empty} empty — left out`,
    });
  }

  const table = text.build();
  return {
    version: rulesVersion(packs, opts),
    rules,
    text: table,
    phrases,
    allow,
    lexiconUnless,
    knowledge,
    diagnostics,
    stats: { rules: rules.length, terms: termCount, keys: text.keys.length, lexiconTerms },
  };
}

function compileRule(
  r: RuleSpec,
  source: string,
  context: (c: ContextRef) => CompiledContext,
  phrase: (p: string) => number,
  diagnostics: Diagnostic[],
): CompiledRule {
  const patterns: string[] = [];
  for (const p of r.patterns ?? []) {
    const c = checkPattern(p);
    if (!c.ok) throw new Error(`${source}: ${r.id}: ${c.error}`);
    for (const w of c.warnings) diagnostics.push({ source, message: `${r.id}: ${w}` });
    patterns.push(c.source);
  }
  let followedBy: string | undefined;
  if (r.followedBy) {
    const c = checkPattern(r.followedBy);
    if (!c.ok) throw new Error(`${source}: ${r.id}: followedBy: ${c.error}`);
    followedBy = c.source;
  }
  return {
    id: r.id,
    category: r.category,
    gate: CATEGORY_GATE[r.category],
    severity: r.severity,
    action: r.action,
    ...(r.message ? { message: r.message } : {}),
    ...(r.suggestion ? { suggestion: r.suggestion } : {}),
    ...(r.validFrom ? { validFrom: r.validFrom } : {}),
    ...(r.validUntil ? { validUntil: r.validUntil } : {}),
    ...(r.near ? { near: (Array.isArray(r.near) ? r.near : [r.near]).map(context) } : {}),
    unlessPhrases: (r.unless?.phrases ?? []).map(phrase),
    unlessNear: (r.unless?.near ?? []).map(context),
    unlessInfo: (r.unless?.info ?? []).map(context),
    patterns,
    ...(followedBy ? { followedBy } : {}),
    ...(r.validator ? { validator: r.validator } : {}),
    ...(r.knowledge ? { knowledge: r.knowledge } : {}),
    lexicon: false,
    source,
  };
}

