/**
 * Labelled evasion cases (evasion.jsonl: text, the rule that must fire, the
 * technique) and official clean texts (clean.jsonl) written for this suite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleEngine, type RuleEngine } from '../../src/rules/engine.js';
import { HERE, RULES_DIR } from './paths.js';

interface EvasionCase {
  text: string;
  rule: string;
  technique: string;
  date?: string;
}

const read = <T>(f: string): T[] =>
  readFileSync(join(HERE, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const evasion = read<EvasionCase>('evasion.jsonl');
const clean = read<{ text: string; date: string }>('clean.jsonl');

let engine: RuleEngine;
beforeAll(() => {
  engine = loadRuleEngine({ rulesDir: RULES_DIR });
});

describe('evasion and clean-text sets', () => {
  it('the sets are substantial and cover every technique', () => {
    expect(evasion.length).toBeGreaterThanOrEqual(70);
    expect(clean.length).toBeGreaterThanOrEqual(50);
    const techniques = new Set(evasion.map((c) => c.technique));
    for (const t of ['interference', 'zero-width', 'emoji', 'full-width', 'traditional', 'repeat', 'numerals', 'homophone', 'pinyin', 'split', 'spaces']) {
      expect(techniques, t).toContain(t);
    }
  });

  it('catches at least 95% of evasion cases, with offsets that quote the author', () => {
    const missed: string[] = [];
    for (const c of evasion) {
      const hits = engine.scan({ id: 'e', body: c.text, date: c.date ?? '2026-06-01' });
      const hit = hits.find((h) => h.rule === c.rule);
      if (!hit) {
        missed.push(`${c.technique}: ${c.text}`);
        continue;
      }
      expect(c.text.slice(hit.start, hit.end)).toBe(hit.text);
    }
    const caught = (evasion.length - missed.length) / evasion.length;
    expect(caught, `missed:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('flags nothing in official clean texts', () => {
    for (const c of clean) {
      const hits = engine.scan({ id: 'c', body: c.text, date: c.date }).filter((h) => h.action !== 'info');
      expect(hits, c.text).toEqual([]);
    }
  });
});
