import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPackDir, PackError, parsePack, RuleSchema } from '../../src/rules/pack.js';

function packError(text: string): PackError {
  try {
    parsePack(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof PackError) return err;
    throw err;
  }
  throw new Error('expected a PackError');
}

const header = 'pack: t\ngate: legal\nrules:\n';

describe('rule pack loader', () => {
  it('accepts a minimal pack and fills defaults', () => {
    const p = parsePack(`${header}  - id: illegal.x\n    category: illegal\n    severity: high\n    action: block\n    terms: [赌博]\n`, 'ok.yaml');
    expect(p.rules[0]).toMatchObject({ id: 'illegal.x', enabled: true, terms: ['赌博'] });
  });

  it('names file, line and field of a schema error', () => {
    const e = packError(`${header}  - id: illegal.x\n    category: illegal\n    severity: extreme\n    action: block\n    terms: [赌博]\n`);
    expect(e.file).toBe('bad.yaml');
    expect(e.line).toBe(6);
    expect(e.field).toBe('rules[0].severity');
    expect(e.message).toMatch(/^bad\.yaml:6: rules\[0\]\.severity: /);
  });

  it('names the line of a YAML syntax error', () => {
    const e = packError(`${header}  - id: illegal.x\n    terms: [赌博\n`);
    expect(e.line).toBeGreaterThanOrEqual(5);
    expect(e.field).toBeNull();
  });

  it('refuses a dangerous regex with the reason, at its line', () => {
    const e = packError(`${header}  - id: illegal.x\n    category: illegal\n    severity: high\n    action: block\n    patterns:\n      - "ok"\n      - "(a+)+$"\n`);
    expect(e.field).toBe('rules[0].patterns[1]');
    expect(e.line).toBe(10);
    expect(e.detail).toMatch(/nested repetition/);
  });

  it('refuses a category from another gate, unknown keys, and rules without a source', () => {
    expect(packError(`${header}  - id: x\n    category: vulgar\n    severity: high\n    action: block\n    terms: [a]\n`).detail).toMatch(/belongs to gate text/);
    expect(packError(`${header}  - id: x\n    category: illegal\n    severity: high\n    action: block\n    terms: [a]\n    colour: red\n`).field).toBe('rules[0]');
    expect(packError(`${header}  - id: x\n    category: illegal\n    severity: high\n    action: block\n`).detail).toMatch(/exactly one of terms, patterns, validator or knowledge/);
  });

  it('refuses duplicate rule ids within a pack and across a directory', () => {
    const rule = '  - id: illegal.x\n    category: illegal\n    severity: high\n    action: block\n    terms: [a]\n';
    expect(packError(header + rule + rule).detail).toMatch(/duplicate rule id/);
    const dir = mkdtempSync(join(tmpdir(), 'packs-'));
    writeFileSync(join(dir, 'a.yaml'), header + rule);
    writeFileSync(join(dir, 'b.yaml'), header.replace('pack: t', 'pack: u') + rule);
    expect(() => loadPackDir(dir)).toThrow(/already defined in a\.yaml/);
  });

  it('refuses an empty directory', () => {
    expect(() => loadPackDir(mkdtempSync(join(tmpdir(), 'packs-')))).toThrow(PackError);
  });

  it('validates a single rule the same way (the compliance API schema)', () => {
    expect(RuleSchema.safeParse({ id: 'x', category: 'ads', severity: 'low', action: 'review', terms: ['最佳'] }).success).toBe(true);
    expect(RuleSchema.safeParse({ id: 'x', category: 'ads', severity: 'low', action: 'review', patterns: ['(x*)*'] }).success).toBe(false);
    expect(RuleSchema.safeParse({ id: 'x', category: 'ads', severity: 'low', action: 'review', terms: ['a'], validFrom: '2026-02-30' }).success).toBe(false);
  });
});
