/**
 * The default packs in rules/: every rule fires on its examples and stays
 * quiet on its counter-examples; the two seed documents (real published
 * texts) come out clean; with the public 51k lexicon loaded their findings
 * stay at 30 or fewer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleEngine, type RuleEngine } from '../../src/rules/engine.js';
import { loadPackDir, type ExampleSpec } from '../../src/rules/pack.js';
import { GATES } from '../../src/review/types.js';
import { LEXICON_51K, RULES_DIR, SEEDS_DIR } from './paths.js';

const DEFAULT_DATE = '2026-06-01';
const packs = loadPackDir(RULES_DIR);
const rules = packs.flatMap((p) => p.pack.rules.map((r) => ({ pack: p.pack.pack, rule: r })));
const example = (e: ExampleSpec) => (typeof e === 'string' ? { text: e, date: DEFAULT_DATE } : e);
const seeds = readdirSync(SEEDS_DIR)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => ({ name: f, body: readFileSync(join(SEEDS_DIR, f), 'utf8') }));

let engine: RuleEngine;
beforeAll(() => {
  engine = loadRuleEngine({ rulesDir: RULES_DIR });
});

describe('default packs', () => {
  it('cover all five gates', () => {
    expect([...new Set(packs.map((p) => p.pack.gate))].sort()).toEqual([...GATES].sort());
  });

  it('give every rule at least one example that fires and one that does not', () => {
    for (const { rule } of rules) {
      expect(rule.examples?.hit.length, `${rule.id} hit examples`).toBeGreaterThan(0);
      expect(rule.examples?.clean.length, `${rule.id} clean examples`).toBeGreaterThan(0);
    }
  });

  describe.each(rules.map(({ rule }) => [rule.id, rule] as const))('%s', (id, rule) => {
    it('fires on its examples with exact offsets', () => {
      for (const ex of rule.examples!.hit.map(example)) {
        const hits = engine.scan({ id: 'ex', body: ex.text, date: ex.date }).filter((h) => h.rule === id);
        expect(hits.length, `${id} should fire on ${ex.text}`).toBeGreaterThan(0);
        for (const h of hits) {
          expect(ex.text.slice(h.start, h.end)).toBe(h.text);
          expect(h).toMatchObject({ category: rule.category, severity: rule.severity, action: rule.action });
        }
      }
    });

    it('raises nothing on its counter-examples', () => {
      for (const ex of rule.examples!.clean.map(example)) {
        const hits = engine.scan({ id: 'ex', body: ex.text, date: ex.date }).filter((h) => h.rule === id && h.action !== 'info');
        expect(hits, `${id} should not fire on ${ex.text}`).toEqual([]);
      }
    });

    it('notes its info examples as info only', () => {
      for (const ex of rule.examples!.info.map(example)) {
        const hits = engine.scan({ id: 'ex', body: ex.text, date: ex.date }).filter((h) => h.rule === id);
        expect(hits.length, `${id} should note ${ex.text}`).toBeGreaterThan(0);
        for (const h of hits) expect(h, ex.text).toMatchObject({ action: 'info', text: ex.text.slice(h.start, h.end) });
      }
    });
  });

  it('find nothing to review or block in the seed documents, on any date', () => {
    expect(seeds).toHaveLength(2);
    for (const date of ['2024-01-15', '2026-06-01', '2027-12-31']) {
      for (const s of seeds) {
        const hits = engine.scan({ id: s.name, body: s.body, date }).filter((h) => h.action !== 'info');
        expect(hits, `${s.name} on ${date}`).toEqual([]);
      }
    }
  });

  it('keep the seed documents at 30 findings or fewer with the 51k public lexicon loaded', () => {
    const withLexicon = loadRuleEngine({ rulesDir: RULES_DIR, lexicons: [LEXICON_51K] });
    expect(withLexicon.compiled.stats.lexiconTerms.ok).toBeGreaterThan(45_000);
    let total = 0;
    for (const s of seeds) {
      const hits = withLexicon.scan({ id: s.name, body: s.body, date: '2026-06-01' });
      for (const h of hits) expect(s.body.slice(h.start, h.end)).toBe(h.text);
      total += hits.length;
    }
    expect(total).toBeLessThanOrEqual(30);
    // The lexicon is still live: its entries fire on promotional text (假币买卖 is line 26495).
    const promo = withLexicon.scan({ id: 'p', body: '长期假币买卖，联系我', date: '2026-06-01' });
    expect(promo.map((h) => [h.rule, h.text, h.action])).toContainEqual(['lexicon:lexicon-51k.txt:26495', '假币买卖', 'review']);
  });
});
