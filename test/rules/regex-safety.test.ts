import { describe, expect, it } from 'vitest';
import { checkPattern, REPEAT_LIMIT } from '../../src/rules/regex-safety.js';

function refused(p: string): string {
  const r = checkPattern(p);
  if (r.ok) throw new Error(`expected /${p}/ to be refused`);
  return r.error;
}

describe('regex safety', () => {
  it.each([
    ['(a+)+b', /nested repetition/],
    ['(a*)*', /nested repetition/],
    ['(aa?)+x', /nested repetition/],
    ['(\\d+\\s?)+$', /nested repetition/],
    ['(a|ab)*c', /same character/],
    ['(.|x)+', /same character/],
    ['(x|)+', /empty branch/],
    ['\\d*\\d*x', /overlap/],
    ['.*.*=.*', /overlap/],
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /backreference/],
    ['(?=a)a', /lookaround/],
    ['(?<!不)赌博', /lookaround/],
    ['a{1,5000}', /above 1000/],
  ])('refuses %s with a message saying why', (pattern, why) => {
    const msg = refused(pattern);
    expect(msg).toMatch(why);
    expect(msg).toContain(pattern);
  });

  it('refuses invalid syntax with a message', () => {
    expect(refused('(abc')).toMatch(/unterminated group/);
    expect(refused('[abc')).toMatch(/unterminated character class/);
    expect(refused('*a')).toMatch(/nothing to repeat/);
  });

  it('bounds unbounded repetitions and says so', () => {
    const r = checkPattern('秘密\\s*★');
    expect(r).toMatchObject({ ok: true, source: `秘密\\s{0,${REPEAT_LIMIT}}★` });
    expect(r.ok && r.warnings[0]).toMatch(/bounded/);
    const plus = checkPattern('(ab|cd)+x');
    expect(plus.ok && plus.source).toBe(`(ab|cd){1,${1 + REPEAT_LIMIT}}x`);
    expect(checkPattern('a{2,}').ok && (checkPattern('a{2,}') as { source: string }).source).toBe(`a{2,${2 + REPEAT_LIMIT}}`);
  });

  it('leaves safe bounded patterns unchanged', () => {
    for (const p of ['[0-9]{17}[0-9x]', '第[一二三]{1,3}条', '(?:绝密|机密)\\s{0,3}[★☆]', '沪人社规〔\\d{4}〕\\d{1,3}号']) {
      expect(checkPattern(p)).toEqual({ ok: true, source: p, warnings: [] });
    }
  });

  it('the rewritten form of a classic catastrophic input stays cheap to run', () => {
    // `.*x.*y` is accepted (no overlap without a required item between) and bounded.
    const r = checkPattern('.*x.*y');
    expect(r.ok).toBe(true);
    const re = new RegExp((r as { source: string }).source, 'gu');
    const text = 'x'.repeat(20_000);
    expect(re.test(text)).toBe(false);
  });
});
