import { describe, expect, it } from 'vitest';
import { findBankCards, findChineseIds, findMobiles, findPastDeadlines, isBankCard, isValidChineseId, luhn, findBidiControls } from '../../src/rules/validators.js';
import { foldText } from '../../src/rules/normalize.js';

const slices = (text: string, spans: { start: number; end: number }[]) => spans.map((s) => text.slice(s.start, s.end));

describe('GB 11643 resident ID numbers', () => {
  it('checks the MOD 11-2 check character, including X', () => {
    expect(isValidChineseId('110101199003074477')).toBe(true);
    expect(isValidChineseId('110101199003074478')).toBe(false);
    expect(isValidChineseId('31011519850612123X')).toBe(true);
    expect(isValidChineseId('31011519850612123x')).toBe(true);
    expect(isValidChineseId('310115198506121230')).toBe(false);
  });

  it('checks the province code and the birth date', () => {
    expect(isValidChineseId('990101199003074477')).toBe(false);
    expect(isValidChineseId('110101199002304476')).toBe(false); // 30 February
  });

  it('finds IDs written with spaces, hyphens and full-width digits, not masked or glued ones', () => {
    const text = foldText('甲110101199003074477，乙110101 19900307 4477，丙１１０１０１１９９００３０７４４７７，丁310***********123X，戊A110101199003074477，己1101011990030744771');
    expect(slices(text, findChineseIds(text))).toEqual(['110101199003074477', '110101 19900307 4477', '110101199003074477']);
  });
});

describe('mobile numbers', () => {
  it('finds 11-digit numbers with carrier prefixes, grouped or with +86', () => {
    const text = '张13812345678，李138 1234 5678，王+86 13912345678，热线12333，座机021-12345678，订单20231381234567890';
    expect(slices(text, findMobiles(text))).toEqual(['13812345678', '138 1234 5678', '13912345678']);
  });

  it('ignores numbers that start with 10, 11 or 12', () => {
    expect(findMobiles('12345678901 11012345678')).toEqual([]);
  });
});

describe('bank cards', () => {
  it('needs Luhn, a scheme prefix and 16–19 digits', () => {
    expect(luhn('6222021234567890128')).toBe(true);
    expect(isBankCard('6222021234567890128')).toBe(true);
    expect(isBankCard('6222021234567890127')).toBe(false);
    expect(isBankCard('9222021234567890124')).toBe(false);
    expect(isBankCard('62220212345')).toBe(false);
  });

  it('finds grouped numbers, not masked ones or valid ID numbers', () => {
    const text = '卡号6222 0212 3456 7890 128，卡号6222 **** **** 0128，身份证110101199003074477';
    expect(slices(text, findBankCards(text))).toEqual(['6222 0212 3456 7890 128']);
  });
});

describe('past deadlines', () => {
  it('reports deadlines before the publication date only', () => {
    const text = '报名截止时间为2025年3月1日；请于2026年12月31日前提交；截至2023年底';
    expect(slices(text, findPastDeadlines(text, '2026-01-10'))).toEqual(['截止时间为2025年3月1日']);
    expect(findPastDeadlines(text, '2025-02-01')).toEqual([]);
    expect(slices(text, findPastDeadlines(text, '2027-01-10'))).toHaveLength(2);
  });
});

describe('findBidiControls', () => {
  it('spans an override to its terminator (or the end of the line), and each mark on its own', () => {
    const t = '关于\u202e知通的作工\u202c说明\u200f。下一行\u2067隔离\n第二行';
    expect(findBidiControls(t).map((s) => t.slice(s.start, s.end))).toEqual(['\u202e知通的作工\u202c', '\u200f', '\u2067隔离']);
    const long = `\u202e${'字'.repeat(300)}`;
    expect(findBidiControls(long)).toEqual([{ start: 0, end: 100 }]);
    expect(findBidiControls('零宽\u200b空格与阿拉伯语 مرحبا')).toEqual([]);
  });
});
