/**
 * Evasion as a property: for phrases of the default packs, every combination
 * of the normaliser's transforms — a space or symbol between every character,
 * zero-width characters, traditional characters, repeated characters,
 * full-width letters, the phrase (or a run of it) spelled in pinyin with or
 * without spaces, upper case — still fires the rule, with offsets that quote
 * the author exactly. The random parts (which symbol, which run, which
 * character repeats) come from fast-check; the combinations are enumerated.
 */
import fc from 'fast-check';
import * as OpenCC from 'opencc-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleEngine, type RuleEngine } from '../../src/rules/engine.js';
import { reading } from '../../src/rules/phonetic.js';
import { RULES_DIR } from './paths.js';

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

interface Case {
  /** The phrase as a rule lists it. */
  phrase: string;
  /** Text around it, `{}` where the phrase goes (gives a rule the context it needs). */
  carrier: string;
  /** Rules any of which must fire on the phrase. */
  rules: string[];
  /** Whether the rule also matches pinyin spellings. */
  pinyin: boolean;
}

const CASES: Case[] = [
  { phrase: '赌博网站', carrier: '{}注册就送', rules: ['illegal.gambling'], pinyin: true },
  { phrase: '代办社保', carrier: '个人{}，全市最快', rules: ['illegal.social-insurance-agency'], pinyin: false },
  { phrase: '代开发票', carrier: '{}联系我', rules: ['illegal.fake-documents'], pinyin: false },
  { phrase: '刷单返利', carrier: '在家{}日赚三百', rules: ['illegal.fraud-promotion'], pinyin: true },
  { phrase: '裸聊', carrier: '{}一对一', rules: ['illegal.porn'], pinyin: true },
  { phrase: '全网最低价', carrier: '{}限时抢', rules: ['ads.absolute-terms'], pinyin: true },
  { phrase: '内部资料', carrier: '本文件为{}，请妥善保管', rules: ['secret.internal-marking'], pinyin: true },
  { phrase: '不得外传', carrier: '会议材料，{}', rules: ['secret.no-distribution'], pinyin: true },
  { phrase: '台湾政府', carrier: '{}发言人表示', rules: ['political.taiwan-institutions'], pinyin: false },
  { phrase: '国家主席李强', carrier: '{}出席会议', rules: ['political.leader-title'], pinyin: false },
  { phrase: '习进平', carrier: '{}总书记', rules: ['political.leader-name-typo'], pinyin: false },
  { phrase: '傻逼', carrier: '你真是个{}', rules: ['vulgar.insults'], pinyin: true },
  { phrase: '瞎子', carrier: '{}按摩店', rules: ['wording.discriminatory'], pinyin: false },
];

/** One transform of the phrase; `rng` picks its random parts. */
type Transform = 'interference' | 'zero-width' | 'traditional' | 'repeat' | 'pinyin' | 'pinyin-run' | 'full-width' | 'upper';
const TRANSFORMS: Transform[] = ['interference', 'zero-width', 'traditional', 'repeat', 'pinyin', 'pinyin-run', 'full-width', 'upper'];
// Clause punctuation (、，。) is left out on purpose: real prose separates words with it, so a term never matches across it.
const SYMBOLS = [' ', '*', '.', '-', '_', '~', '/', '·', '|', '#', '😀', '♥', '\u00a0', '\u3000'];

interface Choices {
  symbol: string;
  at: number;
  spaced: boolean;
}

/** Units of the phrase: Han characters, or pinyin syllables where spelled. */
function apply(phrase: string, set: ReadonlySet<Transform>, c: Choices): string {
  const chars = Array.from(phrase);
  let units = chars.map((ch) => ({ text: ch, han: true }));
  if (set.has('traditional')) units = units.map((u) => ({ ...u, text: toTraditional(u.text) }));
  if (set.has('repeat')) {
    const i = c.at % units.length;
    units[i] = { ...units[i]!, text: units[i]!.text + units[i]!.text };
  }
  // Whole phrase or a run of it (at least one character, not all of it) in pinyin.
  const spell = (from: number, to: number) => {
    for (let i = from; i <= to; i++) units[i] = { text: reading(chars[i]!), han: false };
  };
  if (set.has('pinyin')) spell(0, units.length - 1);
  else if (set.has('pinyin-run') && units.length >= 2) {
    const from = c.at % (units.length - 1);
    spell(from, from + Math.max(0, (c.at >> 3) % (units.length - from - 1)));
  }
  let parts = units.map((u) => u.text);
  if (set.has('upper')) parts = parts.map((p) => p.toUpperCase());
  if (set.has('full-width')) parts = parts.map((p) => p.replace(/[A-Za-z0-9]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)));
  const sep = (set.has('interference') ? c.symbol : '') + (set.has('zero-width') ? '\u200b' : '');
  // Pinyin syllables are written together or apart (zui di jia, zuidijia).
  const joinPinyin = c.spaced && !sep ? ' ' : '';
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += (sep || (!units[i]!.han && !units[i - 1]!.han ? joinPinyin : '')) + parts[i];
  return out;
}

/** Every subset of the transforms that makes sense together (pinyin spellings exclude the Han-only ones). */
function combinations(pinyin: boolean): Transform[][] {
  const out: Transform[][] = [];
  for (let mask = 0; mask < 1 << TRANSFORMS.length; mask++) {
    const set = TRANSFORMS.filter((_, i) => mask & (1 << i));
    const spelled = set.includes('pinyin') || set.includes('pinyin-run');
    if (spelled && !pinyin) continue;
    if (set.includes('pinyin') && set.includes('pinyin-run')) continue;
    if (set.includes('pinyin') && (set.includes('traditional') || set.includes('repeat'))) continue;
    // Case and width only change letters, so they go with a spelling.
    if (!spelled && (set.includes('upper') || set.includes('full-width'))) continue;
    out.push(set);
  }
  return out;
}

let engine: RuleEngine;
beforeAll(() => {
  engine = loadRuleEngine({ rulesDir: RULES_DIR });
});

describe('evasion property', () => {
  it('the combinations cover every transform', () => {
    expect(combinations(true).length).toBeGreaterThan(40);
    expect(new Set(combinations(true).flat())).toEqual(new Set(TRANSFORMS));
  });

  describe.each(CASES.map((c) => [c.phrase, c] as const))('%s', (_phrase, c) => {
    it('fires under every combination of transforms, quoting the author exactly', () => {
      const combos = combinations(c.pinyin);
      fc.assert(
        fc.property(
          fc.constantFrom(...combos),
          fc.record({ symbol: fc.constantFrom(...SYMBOLS), at: fc.nat({ max: 255 }), spaced: fc.boolean() }),
          (set, choices) => {
            const evaded = apply(c.phrase, new Set(set), choices);
            const body = c.carrier.replace('{}', evaded);
            const at = body.indexOf(evaded);
            const hits = engine.scan({ id: 'p', body, date: '2026-06-01' }).filter((h) => c.rules.includes(h.rule) && h.action !== 'info');
            expect(hits.length, `${set.join('+') || 'plain'}: ${body}`).toBeGreaterThan(0);
            for (const h of hits) {
              expect(body.slice(h.start, h.end)).toBe(h.text);
              // The finding lies on the phrase as written (a carrier word may join it, not replace it).
              expect(h.start < at + evaded.length && h.end > at, `${set.join('+')}: ${body} → ${h.text}`).toBe(true);
            }
          },
        ),
        { numRuns: Math.max(200, combos.length * 3), seed: 12 },
      );
    });
  });

  it('PII written to evade: ID and mobile numbers in Chinese numerals, full-width digits, with spaces', () => {
    const han = '〇一二三四五六七八九';
    const financial = '零壹贰叁肆伍陆柒捌玖';
    fc.assert(
      fc.property(
        fc.constantFrom({ digits: '13812345678', rule: 'pii.mobile' }, { digits: '110101199003074477', rule: 'pii.cn-id' }),
        fc.constantFrom('ascii', 'full-width', 'han', 'financial', 'mixed'),
        fc.constantFrom('', ' ', '-', '\u200b', ' \u200b'),
        fc.boolean(),
        (n, form, sep, everyDigit) => {
          const write = (d: string, i: number) => {
            const v = Number(d);
            const f = form === 'mixed' ? (['ascii', 'han', 'full-width'] as const)[i % 3] : form;
            if (f === 'full-width') return String.fromCharCode(0xff10 + v);
            if (f === 'han') return han[v]!;
            if (f === 'financial') return financial[v]!;
            return d;
          };
          const groups = n.digits.length === 11 ? [3, 4, 4] : [6, 8, 4];
          let written = '';
          let i = 0;
          for (const [g, len] of groups.entries()) {
            if (g > 0) written += sep.slice(0, 1) || '';
            for (let k = 0; k < len; k++, i++) written += (everyDigit && k > 0 ? sep.slice(0, 1) : '') + write(n.digits[i]!, i);
          }
          const body = `联系人：${written}`;
          const hits = engine.scan({ id: 'p', body, date: '2026-06-01' }).filter((h) => h.rule === n.rule);
          expect(hits.length, `${form} ${JSON.stringify(sep)}: ${body}`).toBe(1);
          expect(body.slice(hits[0]!.start, hits[0]!.end)).toBe(hits[0]!.text);
          expect(hits[0]!.text.replace(/[\s\-\u200b]/g, '')).toBe(written.replace(/[\s\-\u200b]/g, ''));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
