/**
 * Political checks that read knowledge tables (knowledge-tables.ts) instead
 * of lists of misspellings:
 *
 * - `office-title`: a leader's name next to a national title they did not hold
 *   on the post's date (国家主席李强, 李强总书记), found from who held which
 *   office when;
 * - `office-former`: the full title written before a name (国务院总理李克强,
 *   the form that states a current office) for someone who had left that
 *   office by the post's date, unless the sentence says so (原, 时任, a year
 *   of the tenure);
 * - `leader-name`: a name one character off a holder's name beside a title
 *   (习近萍总书记, 李墙总理), and homophone misspellings of the distinctive
 *   names in `scanNames` anywhere (王护宁出席);
 * - `title-spelling`: a title one homophone off beside a holder's name (习近平总书计);
 * - `formulation`: text within a few edits of a canonical formulation but not
 *   exactly a correct wording (以习近平为核心的党中央);
 * - `plenum-name`: 二十大四中全会 for 二十届四中全会;
 * - `plenum-adoption`: a document credited to a plenary session that did not
 *   adopt it (二十届三中全会审议通过的“十五五”规划建议).
 *
 * Everything runs on the normalised skeleton (normalize.ts), so interference
 * characters, traditional and full-width forms do not hide a problem, and
 * reports kept-character spans the engine turns into exact offsets. What can
 * be computed ahead (homophone variants, which office a title belongs to) is
 * computed when the rules compile; scanning needs no dictionary or pinyin.
 */
import { MAX_INNER_GAP } from './automaton.js';
import type { KnowledgeCheck } from './pack.js';
import type { KnowledgeTables } from './knowledge-tables.js';
import { normalizedString, type NormalizedText } from './normalize.js';
import { sentenceBounds } from './sentences.js';
import { homophonesOf } from './phonetic.js';

interface CompiledTenure {
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

export function compileKnowledge(tables: readonly KnowledgeTables[]): CompiledKnowledge | null {
  if (tables.length === 0) return null;
  const k: CompiledKnowledge = {
    version: tables.map((t) => t.version).join('+'),
    holders: {},
    titleOffices: {},
    officeTitles: {},
    fullTitles: [],
    titleVariants: {},
    nameVariants: {},
    scanVariants: [],
    formulations: [],
    anchors: {},
    adoptedBy: {},
  };
  const addTitle = (title: string, office: string) => {
    const list = (k.titleOffices[title] ??= []);
    if (!list.includes(office)) list.push(office);
  };
  for (const t of tables) {
    for (const o of t.offices) {
      k.officeTitles[o.id] = o.titles.map(normalizedString);
      for (const title of o.titles) {
        addTitle(normalizedString(title), o.id);
        if (!k.fullTitles.includes(normalizedString(title))) k.fullTitles.push(normalizedString(title));
      }
      for (const s of o.short) addTitle(normalizedString(s), o.id);
      for (const h of o.holders) (k.holders[normalizedString(h.name)] ??= []).push({ office: o.id, from: h.from, ...(h.until ? { until: h.until } : {}) });
    }
    for (const f of t.formulations) {
      const text = normalizedString(f.text);
      const i = k.formulations.length;
      k.formulations.push({ text, also: f.also.map(normalizedString), maxEdits: f.maxEdits, ...(f.validFrom ? { validFrom: f.validFrom } : {}) });
      const half = Math.ceil(text.length / 2);
      const anchors = f.anchors?.map(normalizedString) ?? [text.slice(0, half), text.slice(text.length - half)];
      for (const a of anchors) (k.anchors[a] ??= []).push(i);
    }
    for (const p of t.plenums) {
      for (const d of p.adopted) for (const n of d.names) k.adoptedBy[normalizedString(n)] = { plenum: p.name, date: p.date, title: d.title };
    }
  }
  const titles = [...Object.keys(k.titleOffices), '同志'];
  for (const title of titles) for (const v of oneHomophoneOff(title)) if (!(v in k.titleOffices)) k.titleVariants[v] ??= title;
  const scan = new Set(tables.flatMap((t) => t.scanNames.map(normalizedString)));
  for (const name of Object.keys(k.holders)) {
    if (!scan.has(name) && name.length !== 2) continue;
    for (const v of oneHomophoneOff(name)) {
      if (v in k.holders) continue;
      k.nameVariants[v] ??= name;
      if (scan.has(name)) k.scanVariants.push(v);
    }
  }
  return k;
}

/** Lookups derived from compiled knowledge once per tables object (the compiled form itself stays plain JSON for the cache). */
interface Derived {
  titles: string[];
  longestFullTitle: number;
  correct: Set<string>;
}
const derivedOf = new WeakMap<CompiledKnowledge, Derived>();
function derived(k: CompiledKnowledge): Derived {
  let d = derivedOf.get(k);
  if (!d) {
    d = { titles: Object.keys(k.titleOffices), longestFullTitle: Math.max(0, ...k.fullTitles.map((t) => t.length)), correct: new Set(correctWordings(k)) };
    derivedOf.set(k, d);
  }
  return d;
}

/** `word` with one character replaced by a common homophone (toneless pinyin). */
function oneHomophoneOff(word: string): string[] {
  const chars = Array.from(word);
  const out: string[] = [];
  chars.forEach((c, i) => {
    for (const h of homophonesOf(c)) out.push([...chars.slice(0, i), h, ...chars.slice(i + 1)].join(''));
  });
  return out;
}

/** Strings the automaton must find for a check; each match is passed to `checkKnowledge` with its term. */
export function knowledgeAnchors(check: KnowledgeCheck, k: CompiledKnowledge): string[] {
  switch (check) {
    case 'office-title':
    case 'office-former':
    case 'title-spelling':
      return Object.keys(k.holders);
    case 'leader-name':
      return [...Object.keys(k.titleOffices), ...k.scanVariants];
    case 'formulation':
      // The correct wordings too: an anchor inside one of them needs no comparison.
      return [...Object.keys(k.anchors), ...correctWordings(k)];
    case 'plenum-name':
      return ['中全会'];
    case 'plenum-adoption':
      return Object.keys(k.adoptedBy);
  }
}

/** Every correct wording of the formulations (canonical and `also`), normalised. */
function correctWordings(k: CompiledKnowledge): string[] {
  return [...new Set(k.formulations.flatMap((f) => [f.text, ...f.also]))];
}

/**
 * Knowledge anchors of a field in the order their checks need them: the
 * correct wordings of formulations first, so `formulation` knows which
 * stretches are written correctly before it compares anchors.
 */
export function knowledgeOrder(k: CompiledKnowledge, anchor: string): number {
  return derived(k).correct.has(anchor) ? 0 : 1;
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

/** Runs `check` on the occurrence of `anchor` (a string from `knowledgeAnchors`) at kept characters s..e. */
export function checkKnowledge(check: KnowledgeCheck, k: CompiledKnowledge, anchor: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  switch (check) {
    case 'office-title':
      return officeTitle(k, anchor, s, e, input);
    case 'office-former':
      return officeFormer(k, anchor, s, e, input);
    case 'title-spelling':
      return titleSpelling(k, anchor, s, e, input);
    case 'leader-name':
      return leaderName(k, anchor, s, e, input);
    case 'formulation':
      return formulation(k, anchor, s, e, input);
    case 'plenum-name':
      return plenumName(s, input);
    case 'plenum-adoption':
      return plenumAdoption(k, anchor, s, input);
  }
}

// ---- the skeleton around an occurrence ----

/** Whether kept characters i-1 and i are joined (no clause break, little interference between them). */
const joined = (norm: NormalizedText, i: number) => i > 0 && i < norm.length && norm.gap[i]! <= MAX_INNER_GAP;

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
function beside(input: KnowledgeInput, right: boolean, at: number, max: number): Stretch {
  const key = (at * 64 + max) * 2 + (right ? 1 : 0);
  let st = input.memo?.get(key);
  if (!st) {
    st = right ? rightOf(input.norm, at, max) : leftOf(input.norm, at, max);
    input.memo?.set(key, st);
  }
  return st;
}

/** Up to `max` characters from kept index `from` rightwards while joined. */
function rightOf(norm: NormalizedText, from: number, max: number): Stretch {
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
function leftOf(norm: NormalizedText, to: number, max: number): Stretch {
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
const startOfLast = (l: Stretch, len: number) => l.at[l.at.length - len]!;

const SENTENCE_END = /[。！？!?；;\n\r]/;

/** Whether kept characters i-1 and i belong to one sentence: a list separator (、，) between them does not part them. */
function inSentence(norm: NormalizedText, i: number): boolean {
  if (joined(norm, i)) return true;
  if (i <= 0 || i >= norm.length) return false;
  return !SENTENCE_END.test(norm.source.slice(norm.pos[i - 1]! + 1, norm.pos[i]!));
}

const BMP_ONLY = (s: string) => s.length === Array.from(s).length;

function heldOn(k: CompiledKnowledge, name: string, offices: readonly string[], date: string): boolean {
  return (k.holders[name] ?? []).some((t) => offices.includes(t.office) && t.from <= date && (!t.until || date < t.until));
}

function holderOn(k: CompiledKnowledge, office: string, date: string): string | null {
  for (const [name, ts] of Object.entries(k.holders)) if (ts.some((t) => t.office === office && t.from <= date && (!t.until || date < t.until))) return name;
  return null;
}

/** The person's full title(s) on `date`, first title of each office held. */
function titlesOn(k: CompiledKnowledge, name: string, date: string): string[] {
  return (k.holders[name] ?? []).filter((t) => t.from <= date && (!t.until || date < t.until)).map((t) => k.officeTitles[t.office]![0]!);
}

/** The longest title that `s` starts with (after a name) or ends with (before a name). */
function titleAt(titles: Iterable<string>, s: string, end: boolean): string | null {
  let best: string | null = null;
  for (const t of titles) if ((end ? s.endsWith(t) : s.startsWith(t)) && (!best || t.length > best.length)) best = t;
  return best;
}

const TITLE_WINDOW = 12;

function officeTitle(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const { date } = input;
  const out: KnowledgeFinding[] = [];
  const right = beside(input, true, e + 1, TITLE_WINDOW);
  const left = beside(input, false, s - 1, TITLE_WINDOW);
  const after = titleAt(derived(k).titles, right.str, false);
  const before = titleAt(k.fullTitles, left.str, true);
  for (const [title, span] of [
    [after, after ? { s, e: right.at[after.length - 1]! } : null],
    [before, before ? { s: startOfLast(left, before.length), e } : null],
  ] as const) {
    if (!title || !span) continue;
    const offices = k.titleOffices[title]!;
    if (heldOn(k, name, offices, date)) continue;
    // Held before the post's date: a former office, which office-former judges (before the name only).
    if ((k.holders[name] ?? []).some((t) => offices.includes(t.office) && t.until && t.until <= date)) continue;
    const own = titlesOn(k, name, date);
    const holder = offices.map((o) => holderOn(k, o, date)).find((h) => h !== null) ?? null;
    const parts = [`${name}在${date}不担任“${title}”`];
    if (own.length) parts.push(`其职务为${own.join('、')}`);
    if (holder) parts.push(`“${title}”为${holder}`);
    out.push({
      ...span,
      message: `领导人职务称谓错误：${parts.join('，')}`,
      suggestion: own.length ? own.map((t) => (title === after ? `${name}${shortOf(k, t)}` : `${t}${name}`)).join(' / ') : holder ? (title === after ? `${holder}${title}` : `${title}${holder}`) : '核实职务称谓',
    });
  }
  return out;
}

/** The short form of a full title used after a name (国务院总理 → 总理), or the title itself. */
function shortOf(k: CompiledKnowledge, title: string): string {
  const offices = k.titleOffices[title] ?? [];
  let best = title;
  for (const [t, os] of Object.entries(k.titleOffices)) if (t.length < best.length && title.endsWith(t) && os.some((o) => offices.includes(o))) best = t;
  return best;
}

const FORMER_CUES = ['原', '时任', '前任', '曾任', '生前', '逝世', '去世', '追悼', '悼念', '纪念', '诞辰', '遗体', '当年', '那年'];

function officeFormer(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const { norm, date, text } = input;
  const left = beside(input, false, s - 1, TITLE_WINDOW);
  const title = titleAt(k.fullTitles, left.str, true);
  if (!title) return [];
  const offices = k.titleOffices[title]!;
  if (heldOn(k, name, offices, date)) return [];
  const past = (k.holders[name] ?? []).filter((t) => offices.includes(t.office) && t.until && t.until <= date);
  if (past.length === 0) return [];
  const before = left.str.slice(0, left.str.length - title.length);
  if (FORMER_CUES.some((c) => before.endsWith(c))) return [];
  const sentence = sentenceAround(text, norm.pos[s]!);
  if (FORMER_CUES.some((c) => sentence.includes(c))) return [];
  // A year of the tenure in the sentence dates the statement (2015年，国务院总理李克强…).
  for (const m of sentence.matchAll(/(1[89]\d\d|20\d\d)\s*年/g)) {
    const y = m[1]!;
    if (past.some((t) => t.from.slice(0, 4) <= y && y <= t.until!.slice(0, 4))) return [];
  }
  const t = past[past.length - 1]!;
  return [{ s: startOfLast(left, title.length), e, message: `${name}已于${t.until}卸任“${title}”，不宜作为现任职务表述`, suggestion: `原${title}${name}` }];
}

function titleSpelling(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const out: KnowledgeFinding[] = [];
  const right = beside(input, true, e + 1, 4);
  if (!titleAt(derived(k).titles, right.str, false)) {
    for (const len of [3, 2]) {
      const r = right.str.slice(0, len);
      const t = k.titleVariants[r];
      if (r.length === len && t) {
        out.push({ s: e + 1, e: right.at[len - 1]!, message: `领导人职务称谓书写错误：“${r}”应为“${t}”`, suggestion: `${name}${t}` });
        break;
      }
    }
  }
  const longest = derived(k).longestFullTitle;
  const left = beside(input, false, s - 1, longest);
  if (!titleAt(k.fullTitles, left.str, true)) {
    for (let len = Math.min(longest, left.str.length); len >= 2; len--) {
      const l = left.str.slice(-len);
      const t = k.titleVariants[l];
      if (t && k.fullTitles.includes(t)) {
        out.push({ s: startOfLast(left, len), e: s - 1, message: `领导人职务称谓书写错误：“${l}”应为“${t}”`, suggestion: `${t}${name}` });
        break;
      }
    }
  }
  return out;
}

/** A holder name one character off `x` (any character for three-character names, a homophone for two), or null. */
function nameOneOff(k: CompiledKnowledge, x: string): string | null {
  if (!BMP_ONLY(x) || x in k.holders) return null;
  if (x.length === 2) return k.nameVariants[x] ?? null;
  for (const name of Object.keys(k.holders)) {
    if (name.length !== x.length) continue;
    let diff = 0;
    for (let i = 0; i < x.length && diff < 2; i++) if (x[i] !== name[i]) diff++;
    if (diff === 1) return name;
  }
  return null;
}

function leaderName(k: CompiledKnowledge, anchor: string, s: number, e: number, { norm }: KnowledgeInput): KnowledgeFinding[] {
  const scanned = k.nameVariants[anchor];
  if (scanned && k.scanVariants.includes(anchor)) {
    return [{ s, e, message: `党和国家领导人姓名书写错误：“${anchor}”应为“${scanned}”`, suggestion: scanned }];
  }
  const offices = k.titleOffices[anchor];
  if (!offices) return [];
  // The name slot before a title (any title) and after a full title.
  const left = leftOf(norm, s - 1, 3);
  for (const len of [3, 2]) {
    const x = left.str.slice(-len);
    if (x.length < len) continue;
    if (x.slice(-2) in k.holders || x in k.holders) break;
    const name = nameOneOff(k, x);
    if (name) return [{ s: startOfLast(left, len), e: left.at[left.at.length - 1]!, message: `党和国家领导人姓名书写错误：“${x}”应为“${name}”`, suggestion: name }];
  }
  if (k.fullTitles.includes(anchor)) {
    const right = rightOf(norm, e + 1, 3);
    for (const len of [3, 2]) {
      const x = right.str.slice(0, len);
      if (x.length < len) continue;
      if (x.slice(0, 2) in k.holders || x in k.holders) break;
      const name = nameOneOff(k, x);
      if (name) return [{ s: e + 1, e: right.at[len - 1]!, message: `党和国家领导人姓名书写错误：“${x}”应为“${name}”`, suggestion: name }];
    }
  }
  return [];
}

/**
 * Fitting alignment of `pattern` inside `text` (free start and end in the
 * text): the fewest edits and the text span [start, end) reaching them.
 */
export function fitEdits(pattern: string, text: string): { edits: number; start: number; end: number } {
  const m = pattern.length;
  const n = text.length;
  // prev[j], cur[j]: edits aligning pattern[0..i) with a text span ending at j; start[j] where that span begins.
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  let prevStart = Int32Array.from({ length: n + 1 }, (_, j) => j);
  let curStart = new Int32Array(n + 1);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    curStart[0] = 0;
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1]! + (pattern[i - 1] === text[j - 1] ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      if (sub <= del && sub <= ins) {
        cur[j] = sub;
        curStart[j] = prevStart[j - 1]!;
      } else if (del <= ins) {
        cur[j] = del;
        curStart[j] = prevStart[j]!;
      } else {
        cur[j] = ins;
        curStart[j] = curStart[j - 1]!;
      }
    }
    [prev, cur] = [cur, prev];
    [prevStart, curStart] = [curStart, prevStart];
  }
  let best = 0;
  for (let j = 1; j <= n; j++) if (prev[j]! < prev[best]! || (prev[j] === prev[best] && j - prevStart[j]! > best - prevStart[best]!)) best = j;
  return { edits: prev[best]!, start: prevStart[best]!, end: best };
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Kept characters from..to (inclusive) as a string, runs collapsed, and which kept index each code unit came from. */
function window(norm: NormalizedText, from: number, to: number): Stretch {
  let str = '';
  const at: number[] = [];
  for (let i = from; i <= to; i++) {
    if (i > from && norm.cp[i] === norm.cp[i - 1]) continue;
    const ch = String.fromCodePoint(norm.cp[i]!);
    for (let u = 0; u < ch.length; u++) at.push(i);
    str += ch;
  }
  return { str, at };
}

function formulation(k: CompiledKnowledge, anchor: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const { norm, date } = input;
  if (derived(k).correct.has(anchor)) {
    (input.correct ??= []).push([s, e]);
    if (!k.anchors[anchor]) return [];
  }
  // Inside a correctly written formulation: nothing to compare.
  if (input.correct?.some(([a, b]) => a <= s && e <= b)) return [];
  const out: KnowledgeFinding[] = [];
  for (const fi of k.anchors[anchor] ?? []) {
    const f = k.formulations[fi]!;
    if (f.validFrom && date < f.validFrom) continue;
    const offset = f.text.indexOf(anchor);
    // The stretch of the clause the canonical wording could occupy around the anchor.
    let from = s;
    while (from > 0 && s - from < offset + f.maxEdits && inSentence(norm, from)) from--;
    let to = e;
    while (to + 1 < norm.length && to - e < f.text.length - offset - anchor.length + f.maxEdits && inSentence(norm, to + 1)) to++;
    const w = window(norm, from, to);
    // The canonical wording or a correct one of another period, as written (most occurrences): nothing to align.
    if (w.str.includes(f.text) || f.also.some((x) => w.str.includes(x))) continue;
    const fit = fitEdits(f.text, w.str);
    if (fit.edits === 0 || fit.edits > f.maxEdits || fit.end <= fit.start) continue;
    // A shorter best fit (发展想 for 发展思想) usually leaves out a substituted character: quote as much as the canonical wording if that is still close.
    if (fit.end - fit.start < f.text.length && fit.start + f.text.length <= w.str.length && editDistance(f.text, w.str.slice(fit.start, fit.start + f.text.length)) <= f.maxEdits) {
      fit.end = fit.start + f.text.length;
    }
    const written = w.str.slice(fit.start, fit.end);
    const ks = w.at[fit.start]!;
    const ke = w.at[fit.end - 1]!;
    // The anchor must lie inside what was aligned, or the span is about something else.
    if (ke < s || ks > e) continue;
    out.push({ s: ks, e: ke, message: `重要提法表述不规范：“${written}”应为“${f.text}”`, suggestion: f.text });
  }
  return out;
}

const HAN_NUMERAL = /^[一二三四五六七八九十]+$/;

function plenumName(s: number, { norm }: KnowledgeInput): KnowledgeFinding[] {
  // X大Y中全会: Y right before 中全会, 大 before it, the term number X before that.
  const left = leftOf(norm, s - 1, 5);
  const m = /([一二三四五六七八九十]{1,3})(大|届)([一二三四五六七八九])$/.exec(left.str);
  if (!m || m[2] !== '大' || !HAN_NUMERAL.test(m[1]!)) return [];
  return [{ s: startOfLast(left, m[0].length), e: s + 2, message: `全会名称表述错误：中央全会按“届”排序，“${m[0]}中全会”应为“${m[1]}届${m[3]}中全会”`, suggestion: `${m[1]}届${m[3]}中全会` }];
}

const ADOPTION = /(审议通过|通过|作出|提出|制定|发布|出台)/;

function plenumAdoption(k: CompiledKnowledge, docName: string, s: number, { norm, text, date }: KnowledgeInput): KnowledgeFinding[] {
  const doc = k.adoptedBy[docName];
  if (!doc || date < doc.date) return [];
  // The clause stretch before the document name, back to the sentence start.
  const at = norm.pos[s]!;
  const sentenceStart = sentenceBounds(text, at)[0];
  const before = text.slice(Math.max(sentenceStart, at - 40), at);
  const plenums = [...before.matchAll(/([一二三四五六七八九十]{1,3})届([一二三四五六七八九])中全会/g)];
  const last = plenums.at(-1);
  if (!last || last[0] === doc.plenum) return [];
  const between = before.slice(last.index! + last[0].length);
  if (!ADOPTION.test(between) || /[，、；和及与]/.test(between.replace(/[“”《》"]/g, ''))) return [];
  const start = Math.max(sentenceStart, at - 40) + last.index!;
  const ks = lowerBound(norm, start);
  const ke = lowerBound(norm, start + last[0].length) - 1;
  return [{ s: ks, e: ke, message: `${doc.title}由${doc.plenum}（${doc.date}）审议通过，不是${last[0]}`, suggestion: doc.plenum }];
}

function lowerBound(norm: NormalizedText, offset: number): number {
  let lo = 0;
  let hi = norm.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (norm.pos[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sentenceAround(text: string, at: number): string {
  const [a, b] = sentenceBounds(text, at);
  return text.slice(a, b);
}

