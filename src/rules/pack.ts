/**
 * Rule packs: the zod schema compliance officers write against (as YAML/JSON
 * files in `rules/`, or one rule at a time through the compliance API — the
 * same `RuleSchema`), and the loader that reports a malformed pack with its
 * file, line and field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { z } from 'zod';
import { ACTIONS, CATEGORIES, CATEGORY_GATE, GATES, SEVERITIES } from '../review/types.js';
import { isoDate, KnowledgeTablesSchema } from './knowledge-tables.js';
import { checkPattern } from './regex-safety.js';

/** How a term's edges must sit in the text (see segment.ts). */
export const BOUNDARIES = ['auto', 'word', 'none'] as const;
export type Boundary = (typeof BOUNDARIES)[number];

export const VALIDATORS = ['cn-id', 'mobile', 'bank-card', 'past-deadline', 'bidi-controls'] as const;
export type ValidatorName = (typeof VALIDATORS)[number];

/** Checks driven by the knowledge tables of a pack (`tables`, see knowledge.ts). */
export const KNOWLEDGE_CHECKS = ['office-title', 'office-former', 'leader-name', 'title-spelling', 'formulation', 'plenum-name', 'plenum-adoption'] as const;
export type KnowledgeCheck = (typeof KNOWLEDGE_CHECKS)[number];

/** A word or phrase; bare YAML numbers (12333, 1912) are accepted as text. */
const phraseText = z.union([z.string().min(1), z.number().transform(String)]);

const termOptions = {
  /** `auto` (default): ASCII edges need non-alphanumeric neighbours, Chinese edges must not cut through a word. `word`: both edges on word boundaries. `none`: plain substring. */
  boundary: z.enum(BOUNDARIES).optional(),
  /** Also match the term spelled in pinyin letters (whole or in part: 全网zuidi价), and homophones of terms of three or more characters. */
  pinyin: z.boolean().optional(),
  /** Also match homophones of two-character terms (堵博 for 赌博); opt in only where sound-alikes are rarely ordinary words. */
  homophones: z.boolean().optional(),
  /** Also match characters written split into components (拆字), from the built-in table. */
  split: z.boolean().optional(),
  /** Chinese numerals in the term also match their financial (壹) and Arabic (1) forms. */
  numerals: z.boolean().optional(),
};

export const TermSchema = z.union([
  phraseText,
  z
    .object({
      text: z.string().min(1),
      /** 规范表述 for this term; overrides the rule's suggestion. */
      suggestion: z.string().min(1).optional(),
      ...termOptions,
    })
    .strict(),
]);
export type TermSpec = z.infer<typeof TermSchema>;

/**
 * A context: phrases whose presence near a finding changes what it means.
 * `within` is a distance in characters, or `sentence`: anywhere in the same
 * sentence (。！？；… and line breaks end one; quoted text inside “…” does
 * not), as the ConText algorithm scopes its cues. A `stop` phrase between the
 * cue and the finding ends the cue's scope (但是 in 警惕刷单诈骗，但是本平台日结);
 * a cue inside a `pseudo` phrase is no cue (风险 in 零风险, 不要 in 不要错过),
 * NegEx's pseudo-triggers.
 */
export const ContextSchema = z
  .object({
    terms: z.array(phraseText).min(1),
    /** Distance in characters between the finding and the context term, or the same sentence. */
    within: z.union([z.number().int().min(0).max(500), z.literal('sentence')]).default(10),
    side: z.enum(['before', 'after', 'around']).default('around'),
    /** Phrases that end the cue's scope when they lie between the cue and the finding. */
    stop: z.array(phraseText).optional(),
    /** Phrases holding a cue term that are not cues themselves. */
    pseudo: z.array(phraseText).optional(),
  })
  .strict();
export type ContextSpec = z.infer<typeof ContextSchema>;

/** A context written out, or the name of one defined under a pack's `contexts` (any pack). */
export const ContextRefSchema = z.union([ContextSchema, z.string().regex(/^[a-z][a-z0-9-]*$/, 'a context name: lowercase letters, digits and -')]);
export type ContextRef = z.infer<typeof ContextRefSchema>;

const patternSchema = z.string().superRefine((src, ctx) => {
  const r = checkPattern(src);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
});

/** An example text, optionally with the publication date it is scanned for. */
export const ExampleSchema = z.union([z.string().min(1), z.object({ text: z.string().min(1), date: isoDate }).strict()]);
export type ExampleSpec = z.infer<typeof ExampleSchema>;

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._:-]*$/, 'lowercase letters, digits and . _ : - only'),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    action: z.enum(ACTIONS),
    /** Why this is a finding, in Chinese, for editors. */
    message: z.string().min(1).optional(),
    /** 规范表述 to use instead. */
    suggestion: z.string().min(1).optional(),
    terms: z.array(TermSchema).optional(),
    /** JavaScript regular expressions run on the folded text; must be linear-time safe (regex-safety.ts). */
    patterns: z.array(patternSchema).optional(),
    /**
     * With terms: a pattern that must match right after the term (on the folded
     * text, invisible characters removed); the finding then covers both — a
     * contact handle and the id after it (薇信 abc12345).
     */
    followedBy: patternSchema.optional(),
    validator: z.enum(VALIDATORS).optional(),
    /** A check against the packs' knowledge tables (office holders, formulations, plenary sessions). */
    knowledge: z.enum(KNOWLEDGE_CHECKS).optional(),
    /** Defaults for this rule's terms. */
    options: z.object(termOptions).strict().optional(),
    /**
     * Proximity: the rule fires only when one of these contexts holds (a list:
     * any of them). An evaded spelling of a term (split, homophone, pinyin, a
     * symbol between every character) needs no context: it shows intent.
     */
    near: z.union([ContextRefSchema, z.array(ContextRefSchema).min(1)]).optional(),
    /**
     * Exceptions: allow-listed phrases containing the finding, contexts that
     * make it fine (`near`: a name, a number), and contexts in which it is
     * kept as `info` only (`info`: a warning, a prohibition or a news report
     * quoting what it is about, so a reviewer still sees the quoted scam text).
     */
    unless: z
      .object({
        phrases: z.array(phraseText).optional(),
        near: z.array(ContextRefSchema).optional(),
        info: z.array(ContextRefSchema).optional(),
      })
      .strict()
      .optional(),
    /** The rule applies to posts dated on or after this day… */
    validFrom: isoDate.optional(),
    /** …and before this day. */
    validUntil: isoDate.optional(),
    enabled: z.boolean().default(true),
    /**
     * Texts the rule must fire on (`hit`, with its action), must raise nothing
     * on (`clean`: no finding at review or block), and must note as `info`
     * only (`info`: a warning quoting what it warns against); the test suite
     * checks every default rule against them.
     */
    examples: z
      .object({ hit: z.array(ExampleSchema).default([]), clean: z.array(ExampleSchema).default([]), info: z.array(ExampleSchema).default([]) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const sources = (r.terms?.length ? 1 : 0) + (r.patterns?.length ? 1 : 0) + (r.validator ? 1 : 0) + (r.knowledge ? 1 : 0);
    if (sources !== 1) {
      ctx.addIssue({ code: 'custom', path: ['terms'], message: 'a rule needs exactly one of terms, patterns, validator or knowledge' });
    }
    if (r.followedBy && !r.terms?.length) ctx.addIssue({ code: 'custom', path: ['followedBy'], message: 'followedBy goes with terms' });
    if (r.validFrom && r.validUntil && r.validFrom >= r.validUntil) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil must be after validFrom' });
    }
  });
export type RuleSpec = z.infer<typeof RuleSchema>;

export const PackSchema = z
  .object({
    pack: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits and . _ - only'),
    gate: z.enum(GATES),
    description: z.string().optional(),
    /** Phrases that are always fine (standard formulations, public hotlines): findings inside them are dropped, lexicon ones included. */
    allow: z.array(phraseText).optional(),
    /** Contexts under which words from plain lexicons (`--lexicon`) are not findings, e.g. 打击 before 赌博. */
    lexiconUnless: z.array(ContextRefSchema).optional(),
    /** Named contexts any pack's rules may refer to by name (warning, enforcement, report…). */
    contexts: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a context name: lowercase letters, digits and -'), ContextSchema).optional(),
    /** Knowledge tables for `knowledge` rules (office holders, formulations, plenary sessions; see knowledge.ts). */
    tables: KnowledgeTablesSchema.optional(),
    rules: z.array(RuleSchema),
  })
  .strict()
  .superRefine((p, ctx) => {
    p.rules.forEach((r, i) => {
      if (CATEGORY_GATE[r.category] !== p.gate) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'category'],
          message: `category ${r.category} belongs to gate ${CATEGORY_GATE[r.category]}, not ${p.gate}`,
        });
      }
    });
  });
export type PackSpec = z.infer<typeof PackSchema>;

/** A pack with where it came from. */
export interface LoadedPack {
  source: string;
  pack: PackSpec;
  /** Raw text, hashed into the rules version. */
  text: string;
}

/** A pack that could not be loaded: file, line and field name the first problem. */
export class PackError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'PackError';
  }
}

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

/** Parses and validates one pack's text (YAML or JSON). Throws PackError. */
export function parsePack(text: string, source: string): PackSpec {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new PackError(source, counter.linePos(e.pos[0]).line, null, e.message.split('\n')[0]!);
  }
  const result = PackSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PackError(source, lineOf(doc, counter, issue.path), fieldName(issue.path) || null, issue.message);
  }
  const seen = new Set<string>();
  result.data.rules.forEach((r, i) => {
    if (seen.has(r.id)) throw new PackError(source, lineOf(doc, counter, ['rules', i, 'id']), `rules[${i}].id`, `duplicate rule id ${r.id}`);
    seen.add(r.id);
  });
  return result.data;
}

/** The text of every `*.yaml|*.yml|*.json` pack of a directory, in name order, unparsed. */
export function readPackDir(dir: string): Array<{ source: string; text: string }> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort();
  if (files.length === 0) throw new PackError(dir, null, null, 'no rule packs (*.yaml, *.yml, *.json) in this directory');
  return files.map((f) => ({ source: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

/** Loads every `*.yaml|*.yml|*.json` pack of a directory, in name order. Throws PackError on the first bad one. */
export function loadPackDir(dir: string): LoadedPack[] {
  return parsePacks(readPackDir(dir));
}

/**
 * Parses and validates packs held in memory (a directory's files, or the packs
 * bundled into the Worker), in the given order; a rule id may be defined once.
 * Throws PackError on the first bad one.
 */
export function parsePacks(files: ReadonlyArray<{ source: string; text: string }>): LoadedPack[] {
  const packs: LoadedPack[] = [];
  const ids = new Map<string, string>();
  for (const { source, text } of files) {
    const pack = parsePack(text, source);
    for (const r of pack.rules) {
      const other = ids.get(r.id);
      if (other) throw new PackError(source, null, 'rules.id', `rule id ${r.id} already defined in ${basename(other)}`);
      ids.set(r.id, source);
    }
    packs.push({ source, pack, text });
  }
  return packs;
}
