/**
 * The byte-level half of `lastgate scan`: decoding and line splitting must
 * give exactly what Node's own UTF-8 decoder and a line split would, for
 * valid and invalid input and for chunks cut anywhere.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, readChunks, splitLines } from '../../src/cli/scan-io.js';

/** Lines as `lastgate scan` reads them: chunks of whole lines, each decoded and split. */
async function lines(chunks: Buffer[]): Promise<string[]> {
  const read: Buffer[] = [];
  for await (const c of readChunks(Readable.from(chunks))) read.push(c);
  // Every chunk but the last ends at a line end.
  expect(read.slice(0, -1).every((c) => c.at(-1) === 10)).toBe(true);
  return read.flatMap((c) => splitLines(decodeUtf8(c)));
}

describe('decodeUtf8', () => {
  it('gives what toString gives, for valid text of any script and for invalid bytes', () => {
    const long = '关于做好2026年社会保险工作的通知😀\u0000\uFEFF'.repeat(40);
    for (const s of [long, 'ascii only '.repeat(40), '']) expect(decodeUtf8(Buffer.from(s))).toBe(s);
    const bad = Buffer.concat([Buffer.from(long), Buffer.from([0xff, 0xe4, 0xb8, 0x61, 0xed, 0xa0, 0x80]), Buffer.from(long)]);
    expect(decodeUtf8(bad)).toBe(bad.toString('utf8'));
    expect(decodeUtf8(bad)).toContain('\uFFFD');
  });

  it('matches toString on arbitrary byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (bytes, text) => {
        const b = Buffer.concat([Buffer.from(text), Buffer.from(bytes)]);
        expect(decodeUtf8(b)).toBe(b.toString('utf8'));
      }),
    );
  });
});

describe('readChunks, splitLines', () => {
  it('splits lines however the chunks cut multi-byte characters, dropping a trailing \\r', async () => {
    const text = '{"id":1,"body":"谨防刷单诈骗😀"}\r\n{"id":2,"body":"招聘会"}\n\n{"id":3,"body":"末行无换行"}';
    const bytes = Buffer.from(text);
    const want = ['{"id":1,"body":"谨防刷单诈骗😀"}', '{"id":2,"body":"招聘会"}', '', '{"id":3,"body":"末行无换行"}'];
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(want);
    }
    expect(await lines([bytes])).toEqual(want);
    expect(await lines([Buffer.from('a\n\n')])).toEqual(['a', '']);
    expect(await lines([Buffer.from('\n')])).toEqual(['']);
  });
});
