/**
 * The knowledge checks on small tables of their own (so a change to the
 * shipped tables cannot make them pass by accident), and the pieces they
 * are built from: fitting alignment and sentence bounds.
 */
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from '../../src/rules/engine.js';
import { fitEdits } from '../../src/rules/knowledge-wording.js';
import { KnowledgeTablesSchema } from '../../src/rules/knowledge-tables.js';
import { parsePack, PackError, type PackSpec } from '../../src/rules/pack.js';
import fc from 'fast-check';
import { sentenceBounds, sentenceStarts } from '../../src/rules/sentences.js';

const TABLES = {
  version: 't1',
  checked: '2026-01-01',
  scanNames: ['王大明'],
  offices: [
    { id: 'chief', titles: ['国家首长'], short: ['首长'], holders: [{ name: '王大明', from: '2020-01-01' }, { name: '李小红', from: '2010-01-01', until: '2020-01-01' }] },
    { id: 'deputy', titles: ['国家副首长'], short: ['副首长'], holders: [{ name: '赵强', from: '2020-01-01' }] },
  ],
  formulations: [{ id: 'f', text: '以人民为中心的发展思想', maxEdits: 2, also: ['以人民为中心的发展理念'] }],
  plenums: [{ name: '九届二中全会', date: '2024-05-01', adopted: [{ title: '《某某决定》', names: ['某某重大问题的决定'] }] }],
};

function engine(): ReturnType<typeof createRuleEngine> {
  const rule = (id: string, knowledge: string) => ({ id, category: 'political', severity: 'critical', action: 'block', knowledge, enabled: true });
  const pack = {
    pack: 'k',
    gate: 'political',
    tables: KnowledgeTablesSchema.parse(TABLES),
    rules: [
      rule('k.title', 'office-title'),
      rule('k.former', 'office-former'),
      rule('k.name', 'leader-name'),
      rule('k.spelling', 'title-spelling'),
      rule('k.formulation', 'formulation'),
      rule('k.plenum', 'plenum-name'),
      rule('k.adoption', 'plenum-adoption'),
    ],
  } as unknown as PackSpec;
  return createRuleEngine([{ source: 'test', pack }]);
}

const e = engine();
const scan = (body: string, date = '2026-06-01') => e.scan({ id: 't', body, date }).map((h) => [h.rule, h.text, h.suggestion]);

describe('knowledge checks', () => {
  it('office-title: a title the person did not hold on the date, before or after the name', () => {
    expect(scan('赵强首长出席')).toEqual([['k.title', '赵强首长', '赵强副首长']]);
    expect(scan('国家首长赵强出席')).toEqual([['k.title', '国家首长赵强', '国家副首长赵强']]);
    expect(scan('王大明首长出席')).toEqual([]);
    // The date decides: in 2015 the office was 李小红's.
    expect(scan('王大明首长出席', '2015-06-01')).toEqual([['k.title', '王大明首长', '李小红首长']]);
    expect(scan('李小红首长出席', '2015-06-01')).toEqual([]);
  });

  it('office-former: a full title before the name of someone who had left, unless the sentence dates it', () => {
    expect(scan('国家首长李小红主持会议')).toEqual([['k.former', '国家首长李小红', '原国家首长李小红']]);
    expect(scan('原国家首长李小红')).toEqual([]);
    expect(scan('2015年，国家首长李小红主持会议')).toEqual([]);
    expect(scan('时任国家首长李小红主持会议')).toEqual([]);
    // The short form after the name is the customary way to name a former holder.
    expect(scan('李小红首长出席')).toEqual([]);
  });

  it('leader-name: one character off beside a title, homophones of scan names anywhere', () => {
    expect(scan('王大民首长出席')).toEqual([['k.name', '王大民', '王大明']]);
    expect(scan('国家首长王太明出席')).toEqual([['k.name', '王太明', '王大明']]);
    expect(scan('王大鸣出席会议')).toEqual([['k.name', '王大鸣', '王大明']]);
    // Two-character names: only a homophone counts (墙 for 强), not any character.
    expect(scan('赵墙副首长出席')).toEqual([['k.name', '赵墙', '赵强']]);
    expect(scan('孙强副首长出席')).toEqual([]);
  });

  it('title-spelling: a title one homophone off beside a name', () => {
    expect(scan('王大明首涨出席')).toEqual([['k.spelling', '首涨', '王大明首长']]);
    expect(scan('王大明首先出席')).toEqual([]);
  });

  it('formulation: within a few edits of the canonical wording, but not a correct one', () => {
    expect(scan('坚持以人民为中心的发展想法')).toEqual([['k.formulation', '以人民为中心的发展想法', '以人民为中心的发展思想']]);
    expect(scan('坚持以人民为中心的发展思想')).toEqual([]);
    expect(scan('坚持以人民为中心的发展理念')).toEqual([]);
    // Interference and traditional characters are read through.
    expect(scan('坚持以人民為中心的發展想*法')[0]?.[0]).toBe('k.formulation');
  });

  it('plenum-name and plenum-adoption', () => {
    expect(scan('学习九大二中全会精神')).toEqual([['k.plenum', '九大二中全会', '九届二中全会']]);
    expect(scan('九届三中全会审议通过的某某重大问题的决定')).toEqual([['k.adoption', '九届三中全会', '九届二中全会']]);
    expect(scan('九届二中全会审议通过的某某重大问题的决定')).toEqual([]);
    expect(scan('学习九届三中全会精神和某某重大问题的决定')).toEqual([]);
    expect(scan('九届三中全会审议通过的某某重大问题的决定', '2024-01-01')).toEqual([]);
  });

  it('findings quote the author exactly', () => {
    const body = '国 家 首 长 趙 強 出席';
    for (const h of e.scan({ id: 't', body, date: '2026-06-01' })) expect(body.slice(h.start, h.end)).toBe(h.text);
    expect(e.scan({ id: 't', body, date: '2026-06-01' }).map((h) => h.rule)).toEqual(['k.title']);
  });
});

describe('knowledge tables', () => {
  it('are validated with the field that is wrong', () => {
    const yaml = (tables: string) => `pack: k\ngate: political\ntables:\n${tables}\nrules: []\n`;
    const err = (t: string) => {
      try {
        parsePack(yaml(t), 'k.yaml');
      } catch (x) {
        return x as PackError;
      }
      return null;
    };
    const bad = err('  version: "1"\n  checked: 2026-01-01\n  offices:\n    - id: a\n      titles: [首长]\n      holders:\n        - { name: 王大明, from: 2020-01-01, until: 2019-01-01 }');
    expect(bad).toBeInstanceOf(PackError);
    expect(bad!.field).toBe('tables.offices[0].holders[0].until');
    expect(bad!.line).toBe(10);
    expect(err('  version: "1"\n  checked: 2026-02-30')!.detail).toMatch(/calendar date/);
    expect(err('  version: "1"\n  checked: 2026-01-01\n  formulations:\n    - { id: f, text: 以人民为中心, anchors: [人民至上] }')!.field).toBe('tables.formulations[0].anchors[0]');
  });

  it('a knowledge rule needs tables in some pack', () => {
    const pack = { pack: 'k', gate: 'political', rules: [{ id: 'k.title', category: 'political', severity: 'critical', action: 'block', knowledge: 'office-title', enabled: true }] } as unknown as PackSpec;
    expect(() => createRuleEngine([{ source: 'x', pack }])).toThrow(/knowledge tables/);
  });
});

describe('fitting alignment and sentences', () => {
  it('fitEdits finds the closest stretch of the text and its edits', () => {
    expect(fitEdits('发展思想', '坚持以人民为中心的发展思想')).toEqual({ edits: 0, start: 9, end: 13 });
    expect(fitEdits('发展思想', '的发展想法。')).toEqual({ edits: 1, start: 1, end: 4 });
    expect(fitEdits('同志为核心', '以习近平为核心的')).toMatchObject({ edits: 2 });
  });

  it('sentenceBounds ends a sentence at its punctuation, not inside quotes', () => {
    const t = '警惕骗局。骗子会说：“刷单返利，日赚500元！”请勿相信。';
    const at = t.indexOf('刷单');
    expect(t.slice(...sentenceBounds(t, at))).toBe('骗子会说：“刷单返利，日赚500元！”请勿相信。');
    expect(t.slice(...sentenceBounds(t, 0))).toBe('警惕骗局。');
    const lines = '第一行提醒\n第二行刷单';
    expect(lines.slice(...sentenceBounds(lines, lines.indexOf('刷')))).toBe('第二行刷单');
  });

  it('sentenceStarts (one pass per field) agrees with sentenceBounds at every offset', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('字', '词', '。', '！', '；', '“', '”', '《', '》', '\n', 'a', ' '), { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        const starts = sentenceStarts(text);
        for (let at = 0; at < text.length; at++) {
          const start = [...starts].filter((x) => x <= at).at(-1);
          expect(start, `${JSON.stringify(text)} @${at}`).toBe(sentenceBounds(text, at)[0]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
