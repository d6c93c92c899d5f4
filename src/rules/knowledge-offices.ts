/**
 * Knowledge checks about people and offices: a national title beside a name
 * of someone who did not hold it on the post's date (office-title), a former
 * office stated as current (office-former), misspelled titles beside a name
 * (title-spelling) and misspelled names beside a title or anywhere
 * (leader-name). See knowledge.ts for the list of checks.
 */
import { sentenceBounds } from './sentences.js';
import type { NormalizedText } from './normalize.js';
import { beside, BMP_ONLY, derived, joined, leftOf, rightOf, startOfLast, type CompiledKnowledge, type KnowledgeFinding, type KnowledgeInput } from './knowledge-base.js';

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

/** Whether the kept characters right after e / right before s could start / end one of the given sets. */
function nextIn(norm: NormalizedText, e: number, set: Set<number>): boolean {
  return e + 1 < norm.length && joined(norm, e + 1) && set.has(norm.cp[e + 1]!);
}
function prevIn(norm: NormalizedText, s: number, set: Set<number>): boolean {
  return s > 0 && joined(norm, s) && set.has(norm.cp[s - 1]!);
}

export function officeTitle(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const { date, norm } = input;
  const d = derived(k);
  if (!nextIn(norm, e, d.titleFirst) && !prevIn(norm, s, d.fullTitleLast)) return [];
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

export function officeFormer(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const { norm, date, text } = input;
  if (!prevIn(norm, s, derived(k).fullTitleLast)) return [];
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

export function titleSpelling(k: CompiledKnowledge, name: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
  const d = derived(k);
  if (!nextIn(input.norm, e, d.variantFirst) && !prevIn(input.norm, s, d.variantLast)) return [];
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
  // A three-character name one character off shares the other two: look each of x's three masks up.
  const masks = derived(k).nameMasks;
  for (let i = 0; i < x.length; i++) {
    const name = masks.get(`${x.slice(0, i)}\u0000${x.slice(i + 1)}`);
    if (name && name.length === x.length) return name;
  }
  return null;
}

export function leaderName(k: CompiledKnowledge, anchor: string, s: number, e: number, { norm }: KnowledgeInput): KnowledgeFinding[] {
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

function sentenceAround(text: string, at: number): string {
  const [a, b] = sentenceBounds(text, at);
  return text.slice(a, b);
}
