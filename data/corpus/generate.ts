/**
 * Writes the labelled corpus (train.jsonl, test.jsonl) from the templates and
 * slot vocabulary, deterministically: `npx tsx data/corpus/generate.ts`.
 *
 * Held-out design: every fifth template of every pool and every fifth value of
 * every slot list (index % 5 === 2) is reserved for the test split. A test post
 * always carries its label through a reserved template; training never sees a
 * reserved template or slot value. Texts are deduplicated after normalisation
 * (only letters and digits kept), within and across splits. With `--check` it
 * runs every check and the generation but writes nothing.
 */
import { seededRandom } from '../../src/random.js';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';
import { SLOTS, INTERFERENCE, TERM_SLOTS } from './slots.js';
import { BAD, CLEAN, FRAGMENTS, HARD, TITLES } from './templates.js';
import { MORE_BAD, MORE_CLEAN, MORE_FRAGMENTS, MORE_HARD, MORE_SLOTS } from './templates-more.js';
import { CORRECTABLE_POLITICAL, TRAIN_BAD, TRAIN_HARD, TRAIN_SLOTS } from './templates-train.js';
import type { TrainingBatch } from './templates-train4.js';
import { BATCH as BATCH4_SECRET_POLITICAL } from './templates-train4-secret-political.js';
import { BATCH as BATCH4_ILLEGAL_ADS_VULGAR } from './templates-train4-illegal-ads-vulgar.js';
import { BATCH as BATCH4_CLEAN } from './templates-train4-clean.js';
import { BATCH as BATCH4_POLITICAL_SECRET_2 } from './templates-train4-political-secret-2.js';
import { BATCH as BATCH4_ILLEGAL_ADS_VULGAR_2 } from './templates-train4-illegal-ads-vulgar-2.js';

// The second batch is appended to the first, pool by pool, so the index rule
// below (index % 5) reserves its templates and values exactly like the first's.
for (const [k, v] of Object.entries(MORE_BAD)) BAD[k as keyof typeof BAD].push(...v);
for (const [k, v] of Object.entries(MORE_CLEAN)) CLEAN[k]!.push(...v);
for (const [k, v] of Object.entries(MORE_HARD)) HARD[k]!.push(...v);
for (const [k, v] of Object.entries(MORE_SLOTS)) SLOTS[k]!.push(...v);
// Fragment pools of the second batch are pools of their own (`illegal+`, `hard.warning+`).
for (const [k, v] of Object.entries(MORE_FRAGMENTS)) FRAGMENTS[`${k}+`] = v;

/**
 * Third batch (templates-train.ts): training-only templates, by pool name as
 * `sentence()` sees it (`secret`, `hard.antifraud`…). They are offered only
 * when a training post is built, so the dev and test splits (written first)
 * draw exactly what they drew before this batch existed.
 */
const TRAIN_ONLY: Record<string, string[]> = {
  ...TRAIN_BAD,
  ...Object.fromEntries(Object.entries(TRAIN_HARD).map(([k, v]) => [`hard.${k}`, [...v]])),
};
// Corrected mirrors of political templates (see templates-train.ts): wrong
// leader names go to the leaders pool, wrong cross-strait / Hong Kong wording
// to the crossStrait pool.
for (const t of [
  ...CORRECTABLE_POLITICAL.map((i) => {
    if (i % 5 === 2 || i % 5 === 4) throw new Error(`political#${i} is held out`);
    return BAD.political[i]!;
  }),
  ...TRAIN_BAD.political.filter((t) => /\{(leader|taiwan|hk)Wrong\}/.test(t)),
]) {
  const fixed = t.replace(/\{leaderWrong\}/g, '{leaderRight}').replace(/\{taiwanWrong\}/g, '{taiwanRight}').replace(/\{hkWrong\}/g, '{hkRight}');
  if (fixed === t || /Wrong|subversive/.test(fixed)) throw new Error(`not a correctable template: ${t}`);
  TRAIN_ONLY[fixed.includes('{leaderRight}') ? 'hard.leaders' : 'hard.crossStrait']!.push(fixed);
}

/**
 * Fourth batch (templates-train4*.ts): more training-only templates by pool,
 * and training-only slot lists, merged after the corrected mirrors so the
 * third batch's pools keep their order.
 */
const BATCH4: TrainingBatch[] = [
  BATCH4_SECRET_POLITICAL,
  BATCH4_ILLEGAL_ADS_VULGAR,
  BATCH4_CLEAN,
  // A second pass by other authors, for shapes the first pass did not cover.
  BATCH4_POLITICAL_SECRET_2,
  BATCH4_ILLEGAL_ADS_VULGAR_2,
];
for (const batch of BATCH4) {
  const pools: Array<[string, string[]]> = [
    ...Object.entries(batch.bad ?? {}),
    ...Object.entries(batch.hard ?? {}).map(([k, v]) => [`hard.${k}`, v] as [string, string[]]),
    ...Object.entries(batch.clean ?? {}).map(([k, v]) => [`clean.${k}`, v] as [string, string[]]),
  ];
  for (const [pool, templates] of pools) (TRAIN_ONLY[pool] ??= []).push(...templates);
  for (const [name, values] of Object.entries(batch.slots ?? {})) {
    if (SLOTS[name] || MORE_SLOTS[name] || TRAIN_SLOTS[name]) throw new Error(`training-only slot {${name}} shadows a slot list`);
    TRAIN_SLOTS[name] = values;
  }
}

/** Character trigrams of a template's fixed text (slots removed). */
function trigrams(template: string): Set<string> {
  const chars = [...template.replace(/\{\w+!?\}/g, '|').replace(/[^\p{L}\p{N}|]/gu, '')];
  const out = new Set<string>();
  for (let i = 0; i + 2 < chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  return out;
}

/**
 * Refuses a training-only template whose trigrams overlap those of any
 * dev- or test-reserved template (index % 5 of 2 or 4, any pool) by half or
 * more (Jaccard), so the third batch cannot smuggle a held-out sentence shape
 * into training. Reports only the training template's name.
 */
function checkOverlap(): void {
  const reserved = [...Object.values(BAD), ...Object.values(HARD), ...Object.values(CLEAN)]
    .flatMap((pool) => pool.filter((_, i) => reservedFor(i) !== null))
    .map(trigrams);
  const tooClose: string[] = [];
  for (const [pool, templates] of Object.entries(TRAIN_ONLY)) {
    templates.forEach((t, i) => {
      const mine = trigrams(t);
      for (const other of reserved) {
        let shared = 0;
        for (const g of mine) if (other.has(g)) shared++;
        const union = mine.size + other.size - shared;
        if (union > 0 && shared / union >= 0.5) {
          tooClose.push(`${pool}#t${i}`);
          break;
        }
      }
    });
  }
  if (tooClose.length > 0) throw new Error(`training-only templates too close to a held-out template: ${tooClose.join(', ')}`);
  // No training-only template or slot value may hold a dev- or test-reserved
  // label term (simplified or traditional), so held-out terms stay unseen.
  const reservedKeys = [...TERM_SLOTS]
    .flatMap((name) => SLOTS[name]!.filter((_, i) => reservedFor(i) !== null))
    .flatMap((t) => [dedupKey(t), dedupKey(toTraditional(t))])
    .filter((k) => k.length > 0);
  const holding: string[] = [];
  const check = (where: string, text: string) => {
    const key = dedupKey(text.replace(/\{\w+!?\}/g, '|'));
    if (reservedKeys.some((k) => key.includes(k))) holding.push(where);
  };
  for (const [pool, templates] of Object.entries(TRAIN_ONLY)) templates.forEach((t, i) => check(`${pool}#t${i}`, t));
  for (const [name, values] of Object.entries(TRAIN_SLOTS)) values.forEach((v, i) => check(`{${name}}[${i}]`, v));
  if (holding.length > 0) throw new Error(`training-only material holds a held-out label term: ${holding.join(', ')}`);
}
type Split = 'train' | 'dev' | 'test' | 'unseen';
/** Splits whose held-out templates and slot values are reserved (index % 5). */
type Held = 'train' | 'dev' | 'test';
type Label = 'clean' | 'secret' | 'political' | 'illegal' | 'ads' | 'vulgar';

interface Example {
  id: string;
  split: Split;
  label: Label;
  /** Pool and template index that carry the label, e.g. `illegal#3`, `hard.antifraud#0`. */
  source: string;
  text: string;
  /** Bad posts: [start, end) offsets in `text` of the sentence(s) that carry the label. */
  evidence?: Array<[number, number]>;
}

const SEED = 20260422;
const COUNTS: Record<Split, { clean: number; hard: number; bad: number }> = {
  train: { clean: 7000, hard: 5000, bad: 3400 },
  dev: { clean: 380, hard: 330, bad: 160 },
  test: { clean: 380, hard: 330, bad: 160 },
  unseen: { clean: 0, hard: 0, bad: 60 },
};


const rand = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

/** Index % 5 === 2 is reserved for test, index % 5 === 4 for dev; the rest is training material. */
const reservedFor = (i: number): Held | null => (i % 5 === 2 ? 'test' : i % 5 === 4 ? 'dev' : null);
/**
 * Items of a list a split may use. Training: unreserved items only. Dev: all
 * but the test-reserved items (with `reservedOnly`, its own reserved items).
 * Test: everything (with `reservedOnly`, its own reserved items). Lists of
 * fewer than 3 items are shared.
 */
function available<T>(xs: readonly T[], split: Held, reservedOnly = false): T[] {
  if (xs.length < 3) return [...xs];
  const allowed = (i: number) => {
    const r = reservedFor(i);
    if (reservedOnly) return r === split;
    if (split === 'train') return r === null;
    if (split === 'dev') return r !== 'test';
    return true;
  };
  const out = xs.filter((_, i) => allowed(i));
  if (out.length > 0) return out;
  // A list too short to hold a reserved dev item: dev falls back to training items, never to test ones.
  return split === 'test' ? [...xs] : xs.filter((_, i) => reservedFor(i) === null);
}
const heldOf = (split: Split): Held => (split === 'unseen' ? 'test' : split);

/** Interference characters, full-width forms, traditional characters or doubled characters. */
function evade(s: string): string {
  const chars = [...s];
  const k = rand();
  if (k < 0.35 && chars.length > 1) {
    const at = 1 + Math.floor(rand() * (chars.length - 1));
    chars.splice(at, 0, pick(INTERFERENCE));
    return chars.join('');
  }
  if (k < 0.55) return chars.map((c) => (/[!-~]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
  if (k < 0.8) return toTraditional(s);
  if (chars.length > 1) return chars.map((c, i) => (i === 0 ? c + c : c)).join('');
  return s;
}

/**
 * Slot values a split may use. Training: unreserved values only. Test: all
 * values, label-bearing lexicons included. Unseen-terms: label-bearing lexicons
 * restricted to their reserved values (terms training never saw).
 */
function slotValues(name: string, split: Split): string[] {
  if (TRAIN_SLOTS[name]) {
    if (split !== 'train') throw new Error(`training-only slot {${name}} outside training`);
    return TRAIN_SLOTS[name]!;
  }
  const values = SLOTS[name];
  if (!values) throw new Error(`unknown slot {${name}}`);
  if (TERM_SLOTS.has(name)) {
    if (split === 'train') return available(values, 'train');
    // Dev sees its own reserved terms (never trained on) as test sees its own.
    if (split === 'dev') return available(values, 'dev');
    return split === 'unseen' ? available(values, 'test', true) : [...values];
  }
  return available(values, heldOf(split));
}

function fill(template: string, split: Split): string {
  return template.replace(/\{(\w+)(!?)\}/g, (_, name: string, bang: string) => {
    const v = pick(slotValues(name, split));
    return bang && chance(0.45) ? evade(v) : v;
  });
}

interface Pick {
  source: string;
  text: string;
}

function sentence(pool: string, templates: readonly string[], split: Split, reservedOnly: boolean): Pick {
  const indexed: Array<{ t: string; i: number | string }> = templates.map((t, i) => ({ t, i }));
  const choices = available(indexed, heldOf(split), reservedOnly);
  if (split === 'train') for (const [i, t] of (TRAIN_ONLY[pool] ?? []).entries()) choices.push({ t, i: `t${i}` });
  const choice = pick(choices);
  return { source: `${pool}#${choice.i}`, text: fill(choice.t, split) };
}

/**
 * One phrase per part of a fragment pool. In the test split at least one part
 * uses a reserved phrase; training uses unreserved phrases only.
 */
function composed(key: string, split: Split): Pick {
  const parts = FRAGMENTS[key]!;
  const forced = Math.floor(rand() * parts.length);
  const text = parts
    .map((phrases, i) => pick(split === 'train' ? available(phrases, 'train') : available(phrases, heldOf(split), i === forced)))
    .join('');
  return { source: `${key}~`, text: fill(text, split) };
}

function decorate(s: string): string {
  return chance(0.08) ? `${pick(SLOTS.emoji!)}${s}` : s;
}

function assemble(parts: string[], split: Split): string {
  const joiner = chance(0.3) ? '\n' : '';
  let body = parts.map(decorate).join(joiner);
  if (chance(0.35)) body = `${fill(pick(TITLES), split)}\n${body}`;
  return body;
}

function context(split: Split, n: number): string[] {
  // Some posts are long (up to ~12 sentences): a label-bearing sentence among many ordinary ones.
  if (chance(0.2)) n += 2 + Math.floor(rand() * 7);
  const topic = pick(Object.keys(CLEAN));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const pool = chance(0.8) ? topic : pick(Object.keys(CLEAN));
    out.push(sentence(`clean.${pool}`, CLEAN[pool]!, split, false).text);
  }
  return out;
}

function insertAt(xs: string[], x: string): string[] {
  const at = Math.floor(rand() * (xs.length + 1));
  return [...xs.slice(0, at), x, ...xs.slice(at)];
}

function cleanPost(split: Split): Omit<Example, 'id' | 'split'> {
  const topic = pick(Object.keys(CLEAN));
  const core = sentence(`clean.${topic}`, CLEAN[topic]!, split, split === 'test' || split === 'dev');
  let parts = context(split, Math.floor(rand() * 4) + (chance(0.2) ? 0 : 1));
  parts = insertAt(parts, core.text);
  return { label: 'clean', source: core.source, text: assemble(parts, split) };
}

const HARD_FRAGMENTS = Object.keys(FRAGMENTS).filter((k) => k.startsWith('hard.'));

function hardPost(split: Split): Omit<Example, 'id' | 'split'> {
  const pool = pick(Object.keys(HARD));
  const core = chance(0.4) ? composed(pick(HARD_FRAGMENTS), split) : sentence(`hard.${pool}`, HARD[pool]!, split, split === 'test' || split === 'dev');
  let parts = context(split, Math.floor(rand() * 4));
  parts = insertAt(parts, core.text);
  if (chance(0.25)) parts = insertAt(parts, sentence(`hard.${pool}`, HARD[pool]!, split, false).text);
  return { label: 'clean', source: core.source, text: assemble(parts, split) };
}

function badPost(label: Exclude<Label, 'clean'>, split: Split): Omit<Example, 'id' | 'split'> {
  const core = chance(0.5) ? composed(chance(0.5) ? label : `${label}+`, split) : sentence(label, BAD[label], split, split === 'test' || split === 'dev');
  const carriers = [core.text];
  let parts = context(split, Math.floor(rand() * 4));
  parts = insertAt(parts, core.text);
  if (chance(0.2)) {
    const second = sentence(label, BAD[label], split, false).text;
    carriers.push(second);
    parts = insertAt(parts, second);
  }
  if (chance(0.1)) {
    const pool = pick(Object.keys(HARD));
    parts = insertAt(parts, sentence(`hard.${pool}`, HARD[pool]!, split, false).text);
  }
  const text = assemble(parts, split);
  const evidence: Array<[number, number]> = [];
  for (const c of carriers) {
    const at = text.indexOf(c);
    if (at < 0) throw new Error(`label-bearing sentence lost in assembly: ${c}`);
    evidence.push([at, at + c.length]);
  }
  return { label, source: core.source, text, evidence };
}

/** The dedup key: letters and digits only, case-folded, after NFKC. */
export function dedupKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function generate(): Example[] {
  const seen = new Set<string>();
  const out: Example[] = [];
  // Test first, so a collision always drops the training copy.
  for (const split of ['test', 'unseen', 'dev', 'train'] as const) {
    const c = COUNTS[split];
    const makers: Array<[number, () => Omit<Example, 'id' | 'split'>]> = [
      [c.clean, () => cleanPost(split)],
      [c.hard, () => hardPost(split)],
      ...(['secret', 'political', 'illegal', 'ads', 'vulgar'] as const).map(
        (l) => [c.bad, () => badPost(l, split)] as [number, () => Omit<Example, 'id' | 'split'>],
      ),
    ];
    for (const [n, make] of makers) {
      let made = 0;
      for (let attempts = 0; made < n && attempts < n * 20; attempts++) {
        const ex = make();
        if (split === 'unseen' && !usesReservedTerm(ex.text)) continue;
        const key = dedupKey(ex.text);
        if (key.length === 0 || seen.has(key)) continue;
        seen.add(key);
        out.push({ id: `${split}-${String(out.length).padStart(5, '0')}`, split, ...ex });
        made++;
      }
      if (made < n) console.warn(`${split}: only ${made}/${n} unique examples for one generator`);
    }
  }
  return out;
}

const reservedTerms = [...TERM_SLOTS].flatMap((name) => available(SLOTS[name]!, 'test', true));
/** Unseen-terms posts must actually contain a term training never saw (some templates have no term slot). */
function usesReservedTerm(text: string): boolean {
  const flat = dedupKey(text);
  return reservedTerms.some((t) => flat.includes(dedupKey(t)) || flat.includes(dedupKey(toTraditional(t))));
}

checkOverlap();
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const all = generate();
/** `--check`: run the checks and the generation, write nothing. */
const checkOnly = process.argv.includes('--check');
for (const split of ['train', 'dev', 'test', 'unseen'] as const) {
  const rows = all.filter((e) => e.split === split);
  const file = split === 'unseen' ? 'test-unseen-terms' : split;
  if (!checkOnly) writeFileSync(here(`./${file}.jsonl`), rows.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const byLabel: Record<string, number> = {};
  for (const e of rows) byLabel[e.label] = (byLabel[e.label] ?? 0) + 1;
  console.log(split, rows.length, byLabel);
}
