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
import type { KnowledgeCheck } from './pack.js';
import type { KnowledgeTables } from './knowledge-tables.js';
import { normalizedString } from './normalize.js';
import { homophonesOf } from './phonetic.js';
import { correctWordings, derived, type CompiledKnowledge, type KnowledgeFinding, type KnowledgeInput } from './knowledge-base.js';
import { leaderName, officeFormer, officeTitle, titleSpelling } from './knowledge-offices.js';
import { formulation, plenumAdoption, plenumName } from './knowledge-wording.js';

export type { CompiledKnowledge, KnowledgeFinding, KnowledgeInput } from './knowledge-base.js';

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


/**
 * Knowledge anchors of a field in the order their checks need them: the
 * correct wordings of formulations first, so `formulation` knows which
 * stretches are written correctly before it compares anchors.
 */
export function knowledgeOrder(k: CompiledKnowledge, anchor: string): number {
  return derived(k).correct.has(anchor) ? 0 : 1;
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
