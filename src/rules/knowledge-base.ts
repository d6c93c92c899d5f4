/**
 * What every knowledge check shares: the compiled tables (plain JSON, so the
 * rules cache can store them), lookups derived from them once per tables
 * object, and how a check reads the normalised skeleton around an
 * occurrence (runs of one character collapsed, as the automaton reads them).
 */
import { MAX_INNER_GAP } from './automaton.js';
import type { NormalizedText } from './normalize.js';

export interface CompiledTenure {
  office: string;
  from: string;
  until?: string;
}

/** The tables of every pack merged and indexed for scanning; plain JSON so the rules cache can store it. */
export interface CompiledKnowledge {
  version: string;
  /** Tenures by holder name. */
  holders: Record<string, CompiledTenure[]>;
  /** Offices a title (full or short form) names. */
  titleOffices: Record<string, string[]>;
  /** Full titles of each office, first one preferred in suggestions. */
  officeTitles: Record<string, string[]>;
  /** Titles written before a name. */
  fullTitles: string[];
  /** One-homophone misspellings of titles (and 同志), to the title. */
  titleVariants: Record<string, string>;
  /** One-homophone misspellings of holder names: scan names (searched everywhere) and two-character names (beside a title). */
  nameVariants: Record<string, string>;
  scanVariants: string[];
  formulations: Array<{ text: string; also: string[]; maxEdits: number; validFrom?: string }>;
  /** Formulation indices by anchor. */
  anchors: Record<string, number[]>;
  /** Plenary session of each document name, with the document's title. */
  adoptedBy: Record<string, { plenum: string; date: string; title: string }>;
}

export interface Derived {
  titles: string[];
  longestFullTitle: number;
  correct: Set<string>;
  /** First characters of every title (after a name) and last characters of full titles (before one), and the same for misspelled titles: a cheap test before reading around a name. */
  titleFirst: Set<number>;
  fullTitleLast: Set<number>;
  variantFirst: Set<number>;
  variantLast: Set<number>;
  /** Holder names of three characters by each one-character mask (习\0平 → 习近平). */
  nameMasks: Map<string, string>;
}
const derivedOf = new WeakMap<CompiledKnowledge, Derived>();
export function derived(k: CompiledKnowledge): Derived {
  let d = derivedOf.get(k);
  if (!d) {
    const first = (xs: Iterable<string>) => new Set([...xs].map((x) => x.codePointAt(0)!));
    const last = (xs: Iterable<string>) => new Set([...xs].map((x) => x.codePointAt(x.length - 1)!));
    const variants = Object.keys(k.titleVariants);
    d = {
      titles: Object.keys(k.titleOffices),
      longestFullTitle: Math.max(0, ...k.fullTitles.map((t) => t.length)),
      correct: new Set(correctWordings(k)),
      titleFirst: first(Object.keys(k.titleOffices)),
      fullTitleLast: last(k.fullTitles),
      variantFirst: first(variants),
      variantLast: last(variants),
      nameMasks: new Map(Object.keys(k.holders).filter((n) => n.length === 3).flatMap((n) => [0, 1, 2].map((i) => [`${n.slice(0, i)}\u0000${n.slice(i + 1)}`, n] as [string, string]))),
    };
    derivedOf.set(k, d);
  }
  return d;
}

/** `word` with one character replaced by a common homophone (toneless pinyin). */
/** Every correct wording of the formulations (canonical and `also`), normalised. */
export function correctWordings(k: CompiledKnowledge): string[] {
  return [...new Set(k.formulations.flatMap((f) => [f.text, ...f.also]))];
}

/** A knowledge finding: kept-character span (inclusive) and the explanation of this occurrence. */
export interface KnowledgeFinding {
  s: number;
  e: number;
  suggestion?: string;
  message?: string;
}

/** What a check sees of the field. */
export interface KnowledgeInput {
  norm: NormalizedText;
  /** The original field. */
  text: string;
  date: string;
  /** Stretches beside occurrences already read in this field (several checks look beside the same name). */
  memo?: Map<number, Stretch>;
  /** Kept-index spans of correct formulation wordings found in this field (filled by `formulation`). */
  correct?: Array<[number, number]>;
}


/** Whether kept characters i-1 and i are joined (no clause break, little interference between them). */
export const joined = (norm: NormalizedText, i: number) => i > 0 && i < norm.length && norm.gap[i]! <= MAX_INNER_GAP;

/**
 * Kept characters beside an occurrence as a string, runs of one character
 * collapsed (国家家主席 reads 国家主席, as the automaton reads it), with the
 * kept index of each code unit so spans map back.
 */
export interface Stretch {
  str: string;
  at: number[];
}

/** `rightOf` / `leftOf` through the field's memo. */
export function beside(input: KnowledgeInput, right: boolean, at: number, max: number): Stretch {
  const key = (at * 64 + max) * 2 + (right ? 1 : 0);
  let st = input.memo?.get(key);
  if (!st) {
    st = right ? rightOf(input.norm, at, max) : leftOf(input.norm, at, max);
    input.memo?.set(key, st);
  }
  return st;
}

/** Up to `max` characters from kept index `from` rightwards while joined. */
export function rightOf(norm: NormalizedText, from: number, max: number): Stretch {
  const out: Stretch = { str: '', at: [] };
  for (let i = from; i < norm.length && out.at.length < max && joined(norm, i); i++) {
    if (i > from && norm.cp[i] === norm.cp[i - 1]) continue;
    const ch = String.fromCodePoint(norm.cp[i]!);
    out.str += ch;
    for (let u = 0; u < ch.length; u++) out.at.push(i);
  }
  return out;
}

/** Up to `max` characters ending at kept index `to` leftwards while joined, in reading order. */
export function leftOf(norm: NormalizedText, to: number, max: number): Stretch {
  const out: Stretch = { str: '', at: [] };
  for (let i = to; i >= 0 && out.at.length < max && joined(norm, i + 1); i--) {
    if (i < to && norm.cp[i] === norm.cp[i + 1]) continue;
    const ch = String.fromCodePoint(norm.cp[i]!);
    out.str = ch + out.str;
    for (let u = 0; u < ch.length; u++) out.at.unshift(i);
  }
  return out;
}

/** Kept index where the last `len` units of a left stretch begin. */
export const startOfLast = (l: Stretch, len: number) => l.at[l.at.length - len]!;

const SENTENCE_END = /[。！？!?；;\n\r]/;

/** Whether kept characters i-1 and i belong to one sentence: a list separator (、，) between them does not part them. */
export function inSentence(norm: NormalizedText, i: number): boolean {
  if (joined(norm, i)) return true;
  if (i <= 0 || i >= norm.length) return false;
  return !SENTENCE_END.test(norm.source.slice(norm.pos[i - 1]! + 1, norm.pos[i]!));
}

export const BMP_ONLY = (s: string) => s.length === Array.from(s).length;
