/**
 * Knowledge checks about wording: text within a few edits of a canonical
 * formulation that is not one of its correct wordings (formulation), plenum
 * naming (plenum-name) and which plenum adopted which document
 * (plenum-adoption). See knowledge.ts for the list of checks.
 */
import type { NormalizedText } from './normalize.js';
import { sentenceBounds } from './sentences.js';
import { derived, inSentence, leftOf, startOfLast, type CompiledKnowledge, type KnowledgeFinding, type KnowledgeInput, type Stretch } from './knowledge-base.js';

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

export function formulation(k: CompiledKnowledge, anchor: string, s: number, e: number, input: KnowledgeInput): KnowledgeFinding[] {
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

export function plenumName(s: number, { norm }: KnowledgeInput): KnowledgeFinding[] {
  // X大Y中全会: Y right before 中全会, 大 before it, the term number X before that.
  const left = leftOf(norm, s - 1, 5);
  const m = /([一二三四五六七八九十]{1,3})(大|届)([一二三四五六七八九])$/.exec(left.str);
  if (!m || m[2] !== '大' || !HAN_NUMERAL.test(m[1]!)) return [];
  return [{ s: startOfLast(left, m[0].length), e: s + 2, message: `全会名称表述错误：中央全会按“届”排序，“${m[0]}中全会”应为“${m[1]}届${m[3]}中全会”`, suggestion: `${m[1]}届${m[3]}中全会` }];
}

const ADOPTION = /(审议通过|通过|作出|提出|制定|发布|出台)/;

export function plenumAdoption(k: CompiledKnowledge, docName: string, s: number, { norm, text, date }: KnowledgeInput): KnowledgeFinding[] {
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

