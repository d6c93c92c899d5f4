/**
 * Plain word lists (`--lexicon FILE`, the format of public sensitive-word
 * lexicons: one term per line) loaded as extra `review` rules.
 *
 * Public lexicons mix real problem terms with everyday words (政策, 信息, 管理),
 * single characters (法, 党) and fragments (.cn, 24). Matched blindly they flag
 * every official text, which is why reviewers stop reading findings. Each term
 * is therefore triaged when loaded:
 * - `empty`: no letters or digits after normalisation;
 * - `short`: one Chinese character (repeated or not: 习习), or at most four
 *   ASCII letters/digits;
 * - `common`: a general-vocabulary word — the segmentation dictionary has seen
 *   it at least `commonFrequency` times;
 * and only the rest become rules. The triage counts are reported (scan prints
 * them on stderr) so nothing is dropped silently. The default packs, which
 * carry context and exceptions, are where such words belong when they matter.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { termKey, type TermKey } from './normalize.js';
import { commonWords } from './segment.js';

export interface LexiconTerm {
  text: string;
  /** 1-based line in the file. */
  line: number;
}

export interface Lexicon {
  /** Short name used in rule ids: `lexicon:<name>:<line>`. */
  name: string;
  terms: LexiconTerm[];
  /** Content hash of the terms and their lines, computed once at load for the rules version. */
  digest: string;
}

export type LexiconVerdict = 'ok' | 'empty' | 'short' | 'common';

export interface LexiconPolicy {
  /** Dictionary frequency from which a word counts as general vocabulary (default 100). */
  commonFrequency: number;
}

export const DEFAULT_LEXICON_POLICY: LexiconPolicy = { commonFrequency: 100 };

/** Parses a word list: one term per line; blank lines and lines starting with `#` are skipped. */
export function parseLexicon(text: string, name: string): Lexicon {
  const terms: LexiconTerm[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.replace(/^\uFEFF/, '').trim();
    if (!t || t.startsWith('#')) continue;
    terms.push({ text: t, line: i + 1 });
  }
  const h = createHash('sha256');
  for (const t of terms) h.update(`${t.line}\t${t.text}\n`);
  return { name, terms, digest: h.digest('hex') };
}

export function loadLexicon(file: string): Lexicon {
  return parseLexicon(readFileSync(file, 'utf8'), basename(file));
}

const HAN = /\p{Script=Han}/u;
/** Han script; the unified ideographs block (all Han) without the regex, since 51k-term lexicons ask once per term. */
const isHan = (cp: number) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x2e80 && HAN.test(String.fromCodePoint(cp)));

/** Triage of one lexicon term (see the module comment). */
export function triageTerm(text: string, policy: LexiconPolicy = DEFAULT_LEXICON_POLICY): LexiconVerdict {
  return triageKey(termKey(text), policy);
}

/** `triageTerm` for a term already normalised. */
export function triageKey({ chars, key, text: s }: TermKey, policy: LexiconPolicy = DEFAULT_LEXICON_POLICY): LexiconVerdict {
  if (chars.length === 0) return 'empty';
  if (!chars.some(isHan)) return s.length <= 4 || key.length <= 2 ? 'short' : 'ok';
  // One character, possibly repeated (习习, 真真真): it would match every occurrence of that character.
  if (key.length === 1) return 'short';
  if (commonWords(policy.commonFrequency).has(s)) return 'common';
  return 'ok';
}
