/**
 * The JavaScript segmenter must cut exactly where the native jieba does
 * (`cut(text, false)`), because word-boundary checks, and so findings, rest
 * on it: on real official text and real posts (windows of up to 40
 * characters, as the engine segments), on raw text with punctuation, and on
 * random mixes of CJK words, ASCII, digits, symbols, kana and astral
 * characters. Also: the compiled dictionary is cached and read back.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCold, readOfficial } from '../../src/evaluation/real-data.js';
import { dictionarySegmenter, type DictionarySegmenter } from '../../src/rules/dictionary-segmenter.js';
import { normalize } from '../../src/rules/normalize.js';
import { tokenEdges } from '../../src/rules/segment.js';

let seg: DictionarySegmenter;
let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'segment-cache-'));
  seg = dictionarySegmenter(cacheDir);
});

/** Texts where the two disagree, with both cuts, for a readable failure. */
function disagreements(texts: Iterable<string>): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const a = seg.tokenEdges(t).join('');
    const b = tokenEdges(t).join('');
    if (a !== b && out.length < 10) out.push(`${t}\n  js     ${a}\n  native ${b}`);
  }
  return out;
}

/** Windows of up to 40 kept characters of the normalised text, as word-fit.ts segments. */
function* windows(text: string): Generator<string> {
  const n = normalize(text);
  let norm = '';
  for (let i = 0; i < n.length; i++) norm += String.fromCodePoint(n.cp[i]!);
  for (let i = 0; i < norm.length; i += 25) yield norm.slice(i, i + 40);
}

describe('dictionary segmenter', () => {
  it('cuts 6,049 real official paragraphs exactly as native jieba, normalised and raw', () => {
    const official = readOfficial();
    expect(official.length).toBe(6049);
    expect(disagreements(official.flatMap((o) => [...windows(o.body)]))).toEqual([]);
    expect(disagreements(official.slice(0, 500).map((o) => o.body.slice(0, 300)))).toEqual([]);
  });

  it('cuts real posts (COLD, 5,000 texts) exactly as native jieba', () => {
    const cold = readCold().slice(0, 5000);
    expect(disagreements(cold.flatMap((c) => [c.text, ...windows(c.text)]))).toEqual([]);
  });

  it('cuts random mixes of words, ASCII, digits, symbols, kana and astral characters exactly as native jieba', () => {
    const piece = fc.constantFrom('中华人民共和国', '我们', '中出', '叛徒', '公开信息', '最大便利', 'iphone', 'AA制', '4s店', 'qq', '123', '3.5', 'c++', '#', '%', '-', '_', '&', 'テスト', '𠮷野家', '😀', ' ', '，', 'ｖｘ', 'α', '不', '了', '的', 'e', '7');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        expect(disagreements([parts.join('')])).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the compiled dictionary to the cache once and reads it back', () => {
    const files = readdirSync(cacheDir).filter((f) => f.startsWith('segment-'));
    expect(files).toHaveLength(1);
    const again = dictionarySegmenter(cacheDir);
    expect(again.size).toBe(seg.size);
    expect(again.size).toBeGreaterThan(300_000);
    expect(again.tokenEdges('中华人民共和国成立了').join('')).toBe(seg.tokenEdges('中华人民共和国成立了').join(''));
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('segment-'))).toEqual(files);
  });
});
