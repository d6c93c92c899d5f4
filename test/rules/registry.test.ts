import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PackSchema } from '../../src/rules/pack.js';
import { RuleRegistry } from '../../src/rules/registry.js';

const pack = (terms: string[]) =>
  `pack: live\ngate: legal\nrules:\n  - id: illegal.live\n    category: illegal\n    severity: high\n    action: block\n    terms: [${terms.join(', ')}]\n`;

const post = (body: string) => ({ id: 'p', body, date: '2026-06-01' });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the registry');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let registry: RuleRegistry | null = null;
afterEach(() => registry?.close());

describe('rule registry (live rules)', () => {
  it('reloads on change and swaps atomically: an engine taken before the swap keeps its version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-'));
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']));
    registry = new RuleRegistry({ rulesDir: dir });
    const before = registry.current;
    expect(registry.scan(post('赌场开业'))).toEqual([]);

    writeFileSync(join(dir, 'live.yaml'), pack(['赌博', '赌场']));
    const r = registry.reload();
    expect(r).toMatchObject({ ok: true, changed: true });
    expect(registry.version).not.toBe(before.version);
    expect(registry.scan(post('赌场开业')).map((h) => h.text)).toEqual(['赌场']);
    // The in-flight review still holds the old engine and reports the old version.
    expect(before.scan(post('赌场开业'))).toEqual([]);
    expect(before.version).not.toBe(registry.version);
  });

  it('keeps serving the previous version when a pack is malformed, and reports file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-'));
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']));
    const errors: Error[] = [];
    registry = new RuleRegistry({ rulesDir: dir, onError: (e) => errors.push(e) });
    const version = registry.version;
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']).replace('severity: high', 'severity: huge'));
    const r = registry.reload();
    expect(r.ok).toBe(false);
    expect(registry.version).toBe(version);
    expect(registry.scan(post('赌博')).length).toBe(1);
    expect(registry.lastError?.message).toMatch(/live\.yaml:6: rules\[0\]\.severity/);
    expect(errors).toHaveLength(1);

    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']).replace('terms: [', 'patterns: ["(a+)+"]\n    x: [').replace('    x: [赌博]\n', ''));
    expect(registry.reload().ok).toBe(false);
    expect(registry.lastError?.message).toMatch(/nested repetition/);
    expect(registry.version).toBe(version);
  });

  it('watches the directory and picks up changes without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-'));
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']));
    const reloaded: string[] = [];
    registry = new RuleRegistry({ rulesDir: dir, debounceMs: 30, onReload: (e) => reloaded.push(e.version) }).watch();
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博', '六合彩']));
    await until(() => reloaded.length > 0);
    expect(registry.scan(post('六合彩开奖')).map((h) => h.text)).toEqual(['六合彩']);
  });

  it('compiles database rules (extraPacks) with the directory and refuses duplicate ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-'));
    writeFileSync(join(dir, 'live.yaml'), pack(['赌博']));
    let dbRules: unknown[] = [];
    const extraPacks = () => [{ source: 'db', pack: PackSchema.parse({ pack: 'db', gate: 'text', rules: dbRules }) }];
    registry = new RuleRegistry({ rulesDir: dir, extraPacks });
    expect(registry.scan(post('某某词'))).toEqual([]);
    dbRules = [{ id: 'wording.db', category: 'wording', severity: 'low', action: 'review', terms: ['某某词'] }];
    expect(registry.reload()).toMatchObject({ ok: true, changed: true });
    expect(registry.scan(post('某某词')).map((h) => h.rule)).toEqual(['wording.db']);
    dbRules = [{ id: 'illegal.live', category: 'wording', severity: 'low', action: 'review', terms: ['x'] }];
    const r = registry.reload();
    expect(r.ok).toBe(false);
    expect(registry.lastError?.message).toMatch(/illegal\.live already defined/);
  });
});
