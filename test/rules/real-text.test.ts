/**
 * Real official text nobody here wrote (../shared/data/official: State
 * Council work reports 1954–2009, congress reports, Shanghai regulations;
 * src/evaluation/real-data.ts) must raise nothing at review or block by rules
 * alone, each paragraph scanned on its own date (time-aware rules judge
 * wording by the day it was written). The held-out figures are in
 * EVALUATION.md (npm run eval:rules); this guards every paragraph.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readOfficial } from '../../src/evaluation/real-data.js';
import { loadRuleEngine, type RuleEngine } from '../../src/rules/engine.js';
import { RULES_DIR } from './paths.js';

let engine: RuleEngine;
beforeAll(() => {
  engine = loadRuleEngine({ rulesDir: RULES_DIR });
});

describe('rules on real official text', () => {
  it('raise nothing at review or block on any of the 6,049 official paragraphs, on their own date', () => {
    const official = readOfficial();
    expect(official.length).toBe(6049);
    const raised: string[] = [];
    for (const o of official) {
      const hits = engine.scan({ id: o.id, title: o.title, body: o.body, date: o.date ?? '2026-06-01' }).filter((h) => h.action !== 'info');
      for (const h of hits) raised.push(`${o.id} ${h.rule} ${h.text}`);
    }
    expect(raised).toEqual([]);
  });
});
