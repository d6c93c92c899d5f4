import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAutomaton, emptyMatches, scanAutomaton } from '../../src/rules/automaton.js';
import { charTable, endOffset, foldText, HARD_GAP, Kind, kindOf, normalize, normalizedString, termKey } from '../../src/rules/normalize.js';

describe('normalize', () => {
  it('folds full-width, case, traditional characters and digit variants', () => {
    expect(normalizedString('ＡＢＣabc')).toBe('abcabc');
    expect(normalizedString('臺灣政府')).toBe('台湾政府');
    expect(normalizedString('①⑵⒊❹')).toBe('1234');
    expect(normalizedString('㈠㈡')).toBe('一二');
    expect(foldText('Ｘ１')).toBe('x1');
  });

  it('drops interference characters and records how many were skipped', () => {
    const text = '赌 *\u200b博😀！测';
    const n = normalize(text);
    expect(String.fromCodePoint(...n.cp.subarray(0, n.length))).toBe('赌博测');
    expect(n.gap[1]).toBe(3); // space, star, zero-width space
    expect(n.gap[2]).toBe(HARD_GAP); // the emoji is soft but ！ is a clause break
    expect(text.slice(n.pos[0], endOffset(n, 1))).toBe('赌 *\u200b博');
  });

  it('keeps astral Han characters as letters with two code units', () => {
    const n = normalize('a𠀀b');
    expect(n.length).toBe(3);
    expect(endOffset(n, 1) - n.pos[1]!).toBe(2);
    expect(kindOf(0x1f600)).toBe(Kind.Soft);
  });

  it('collapses runs in term keys but remembers their length', () => {
    expect(termKey('嘻嘻哈哈')).toMatchObject({ key: [...'嘻哈'].map((c) => c.codePointAt(0)), min: [2, 2] });
    expect(termKey('赌*博').key.length).toBe(2);
  });

  it('normalises a term exactly as the text around it: keys equal the skeleton of the same string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('赌', '博', '賭', 'Ａ', 'a', ' ', '*', '\u200b', '\ud83d', '\ude00', '𠀀', '😀', '嘻'), maxLength: 12 }), (term) => {
        const k = termKey(term);
        const n = normalize(term);
        expect(k.chars).toEqual(Array.from(n.cp.subarray(0, n.length)));
        expect(k.text).toBe(String.fromCodePoint(...k.chars));
        expect(k.keyText).toBe(String.fromCodePoint(...k.key));
        expect(k.min.reduce((a, b) => a + b, 0)).toBe(k.chars.length);
      }),
    );
  });

  it('property: every kept character maps back to a letter of the original that folds to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        const n = normalize(text);
        let prev = -1;
        for (let k = 0; k < n.length; k++) {
          const pos = n.pos[k]!;
          expect(pos).toBeGreaterThan(prev);
          prev = pos;
          const original = text.codePointAt(pos)!;
          expect(kindOf(original)).toBe(Kind.Letter);
          expect(normalizedString(String.fromCodePoint(original))).toBe(String.fromCodePoint(n.cp[k]!));
          expect(endOffset(n, k)).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: folding keeps the length, so offsets into folded text are offsets into the original', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 60 }), (text) => {
        expect(foldText(text).length).toBe(text.length);
      }),
    );
  });

  it('property: inserting interference characters does not change the skeleton', () => {
    const letters = fc.constantFrom(...'赌博台湾政府abcXYZ019约炮');
    const noise = fc.constantFrom(' ', '*', '.', '\u200b', '😀', '-', '_', '~', '/', '\u3000');
    fc.assert(
      fc.property(fc.array(fc.tuple(letters, fc.array(noise, { maxLength: 3 })), { minLength: 1, maxLength: 12 }), (parts) => {
        const plain = parts.map(([l]) => l).join('');
        const noisy = parts.map(([l, n]) => l + n.join('')).join('');
        expect(normalizedString(noisy)).toBe(normalizedString(plain));
      }),
    );
  });
});

describe('fused scan', () => {
  it('property: normalize with a match buffer finds exactly what scanAutomaton finds on the finished skeleton', () => {
    const keys = ['赌博', '博彩', '嘻哈', '六合彩', 'ab', 'b', '𠀀博', '法轮'];
    const automaton = buildAutomaton(keys.map((k) => termKey(k).keyText));
    const table = charTable(null, automaton);
    const unit = fc.constantFrom('赌', '博', '賭', '彩', '六', '合', '嘻', '哈', 'A', 'ａ', 'b', '𠀀', '😀', ' ', '*', '。', '，', '\u200b', '\ud83d', '法', '輪', '1');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const fused = emptyMatches(2);
        const n = normalize(text, undefined, table, fused);
        const ref = emptyMatches(2);
        scanAutomaton(automaton, n.cp, n.gap, n.length, ref);
        expect(Array.from(fused.keys.subarray(0, fused.count))).toEqual(Array.from(ref.keys.subarray(0, ref.count)));
        expect(Array.from(fused.ends.subarray(0, fused.count))).toEqual(Array.from(ref.ends.subarray(0, ref.count)));
      }),
      { numRuns: 500 },
    );
  });
});
