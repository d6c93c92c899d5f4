import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAutomaton, emptyMatches, scanAutomaton } from '../../src/rules/automaton.js';

const cps = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);

function scan(keys: string[], text: string) {
  const a = buildAutomaton(keys);
  const cp = Int32Array.from(cps(text));
  const out = emptyMatches(4);
  scanAutomaton(a, cp, new Uint8Array(cp.length), cp.length, out);
  const found: string[] = [];
  for (let i = 0; i < out.count; i++) found.push(`${out.keys[i]}@${out.ends[i]}`);
  return found.sort();
}

/** Naive reference for texts and keys without adjacent repeated characters. */
function naive(keys: string[], text: string) {
  const t = cps(text);
  const found: string[] = [];
  keys.forEach((k, id) => {
    const kc = cps(k);
    if (keys.findIndex((o) => o === k) !== id) return; // duplicates: first id wins
    for (let i = 0; i + kc.length <= t.length; i++) {
      if (kc.every((c, j) => t[i + j] === c)) found.push(`${id}@${i + kc.length - 1}`);
    }
  });
  return found.sort();
}

const noRepeats = (s: string) => !/(.)\1/u.test(s);

describe('double-array Aho–Corasick automaton', () => {
  it('finds overlapping keys and keys that are suffixes of others', () => {
    expect(scan(['he', 'she', 'his', 'hers'], 'ushers')).toEqual(['0@3', '1@3', '3@5']);
  });

  it('walks repeated characters as one (runs are verified by the engine)', () => {
    expect(scan(['赌博'], '赌赌赌博博')).toEqual(['0@3']);
  });

  it('restarts after a large interference gap', () => {
    const a = buildAutomaton(['ab']);
    const cp = Int32Array.from(cps('ab'));
    const out = emptyMatches();
    scanAutomaton(a, cp, Uint8Array.from([0, 9]), 2, out);
    expect(out.count).toBe(0);
  });

  it('property: equals naive search over random keys and texts (small alphabet, no repeats)', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcd赌博𠀀'), minLength: 1, maxLength: 5 }).filter(noRepeats);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 20 }), word.chain(() => fc.string({ unit: fc.constantFrom(...'abcd赌博𠀀'), maxLength: 60 }).filter(noRepeats)), (keys, text) => {
        expect(scan(keys, text)).toEqual(naive(keys, text));
      }),
      { numRuns: 300 },
    );
  });

  it('handles a large alphabet and many keys', () => {
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) keys.push(String.fromCharCode(0x4e00 + ((i * 7919) % 5000), 0x4e00 + ((i * 104729) % 5000)) + (i % 3 ? String.fromCharCode(0x4e00 + i) : ''));
    const distinct = keys.filter((k) => noRepeats(k));
    const text = distinct.slice(0, 200).join('|');
    const found = scan(distinct, text);
    expect(found).toEqual(naive(distinct, text));
    expect(found.length).toBeGreaterThanOrEqual(200);
  });
});
