import { describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@xenova/transformers';
import { CharTokenizer } from '../../src/classifier/char-tokenizer.js';
import { useOfflineModels } from '../../src/classifier/offline-env.js';
import { MODEL_ID, MODELS_DIR } from '../../src/classifier/model-files.js';
import { readCorpus } from '../../src/classifier/corpus.js';
import { tokens } from '../../src/classifier/tokenizer.js';
import { ngramRows, positionsFor, windowsOf } from '../../src/classifier/window-features.js';
import { planSegments } from '../../src/classifier/window-model.js';

const tricky = [
  '',
  '😀🎉',
  '   \n\t',
  'Hello 世界, WorldSkills 2026 冠军',
  '12,345元 a1b ＡＢＣ①② Ⅻ 〇 ß İ',
  '赌*博 賭博 \u200b网\u200b站',
  '\ud800x',
  'ａｂ12ｃ３',
  '𠀀𪚥 x y',
  'ﬁ㍱ＶＩＰ１２３ vip 加V信 q q 群',
  '【秘密★1年】局党组会议纪要，请勿外传。',
];

describe('CharTokenizer (the served tokenizer)', () => {
  const file = `${MODELS_DIR}${MODEL_ID}/tokenizer.json`;
  const fast = CharTokenizer.fromFile(file);

  it('gives the ids transformers.js gives for the same tokenizer.json', async () => {
    useOfflineModels(MODELS_DIR);
    const hf = await AutoTokenizer.from_pretrained(MODEL_ID, { local_files_only: true });
    const texts = [...tricky, ...readCorpus('dev').map((e) => e.text)];
    const differ = texts.filter((t) => Array.from(hf.encode(t, null, { add_special_tokens: false }) as number[]).join(',') !== Array.from(fast.encode(t).ids).join(','));
    expect(differ).toEqual([]);
  });

  it('records the characters every token came from', () => {
    for (const text of [...tricky, ...readCorpus('dev').slice(0, 80).map((e) => e.text)]) {
      const enc = fast.encode(text);
      const expected = tokens(text);
      expect(enc.ids.length).toBe(expected.length);
      let last = 0;
      for (let k = 0; k < enc.ids.length; k++) {
        const [s, e] = [enc.starts[k]!, enc.ends[k]!];
        expect(s).toBeGreaterThanOrEqual(last);
        expect(e).toBeGreaterThan(s);
        expect(e).toBeLessThanOrEqual(text.length);
        // The characters of a token make that token again (a run of letters or digits may span removed characters).
        expect(tokens(text.slice(s, e))).toEqual([expected[k]]);
        last = e;
      }
    }
  });

  it('maps traditional characters, interference characters and full-width forms like the simplified text', () => {
    const ids = (t: string) => Array.from(fast.encode(t).ids);
    expect(ids('賭博網站')).toEqual(ids('赌博网站'));
    expect(ids('赌*博 网\u200b站')).toEqual(ids('赌博网站'));
    expect(ids('ＶＩＰ１２３')).toEqual(ids('vip9'));
    expect(ids('😀')).toEqual([]);
  });
});

describe('window features', () => {
  it('give every position its character, bigram and trigram rows, 0 past the end', () => {
    const ids = Int32Array.from([5, 9, 2, 7, 7, 1]);
    const rows = ngramRows(ids, 11, 128);
    expect(Array.from(rows.filter((_, i) => i % 3 === 0))).toEqual(Array.from(ids));
    for (let t = 0; t < 6; t++) {
      if (t < 5) expect(rows[3 * t + 1]).toBeGreaterThanOrEqual(11);
      if (t < 4) expect(rows[3 * t + 2]).toBeGreaterThanOrEqual(11);
      for (const r of rows.subarray(3 * t, 3 * t + 3)) expect(r).toBeLessThan(11 + 128);
    }
    expect([rows[3 * 5 + 1], rows[3 * 5 + 2], rows[3 * 4 + 2]]).toEqual([0, 0, 0]);
    // The same bigram hashes to the same row wherever it stands; 7 7 and 9 2 differ.
    const again = ngramRows(Int32Array.from([9, 2, 9, 2]), 11, 128);
    expect(again[1]).toBe(rows[4]);
    expect(again[7]).toBe(rows[4]);
    expect(() => ngramRows(ids, 11, 100)).toThrow(/power of two/);
  });

  it('counts the windows that hold every token', () => {
    expect(windowsOf(0, 24, 4)).toBe(1);
    expect(windowsOf(24, 24, 4)).toBe(1);
    expect(windowsOf(25, 24, 4)).toBe(2);
    expect(windowsOf(28, 24, 4)).toBe(2);
    expect(windowsOf(29, 24, 4)).toBe(3);
    for (let n = 0; n < 200; n++) expect(positionsFor(windowsOf(n, 24, 4), 24, 4)).toBeGreaterThanOrEqual(n);
  });

  it('plans segments that score every window once, with room for the convolution', () => {
    for (const [n, max, radius] of [[10, 64, 1], [5000, 64, 1], [5000, 100, 2], [4097, 4096, 1], [100_000, 4096, 1]] as const) {
      const segments = planSegments(0, n, 24, 4, radius, max);
      const windows = windowsOf(n, 24, 4);
      let next = 0;
      for (const s of segments) {
        expect(s.first).toBe(next);
        next += s.keep;
        expect(s.to - s.from).toBeLessThanOrEqual(max);
        expect(s.from % 4).toBe(0);
        // Kept windows lie inside the segment with `radius` positions to spare, or touch the text's own ends.
        const firstStart = s.first * 4;
        const lastEnd = (s.first + s.keep - 1) * 4 + 24;
        expect(firstStart - s.from >= radius || s.from === 0).toBe(true);
        expect(s.to - Math.min(lastEnd, n) >= radius || s.to === n).toBe(true);
        expect(s.from + s.skip * 4).toBe(firstStart);
      }
      expect(next).toBe(windows);
    }
  });
});
