/**
 * Rules written through the compliance API may use what the file packs
 * define: a named context (warning) and the knowledge tables. They compile
 * (and dry-run) with those, and an unknown context name is refused with the
 * field named.
 */
import { describe, expect, it } from 'vitest';
import { RuleAdmin } from '../../src/rules/admin.js';
import { defaultRulesDir } from '../../src/rules/engine.js';
import { freshStore } from '../helpers/db.js';

describe('API rules and the file packs’ contexts', () => {
  it('compiles an API rule that refers to a named context or a knowledge check, and refuses an unknown name', async () => {
    const { db, mk } = freshStore();
    const officer = await mk('合规', 'compliance');
    const admin = new RuleAdmin(db, defaultRulesDir());
    const created = admin.create(officer, {
      id: 'illegal.test-scheme',
      category: 'illegal',
      severity: 'high',
      action: 'block',
      terms: ['养老理财返利'],
      unless: { info: ['warning'] },
    });
    expect(created.source).toBe('api');
    const dry = await admin.dryRun(officer, { rule: { id: 'political.test-title', category: 'political', severity: 'critical', action: 'block', knowledge: 'office-title' } });
    expect(dry.scanned).toBe(0);
    let error: unknown = null;
    try {
      admin.create(officer, { id: 'illegal.test-unknown', category: 'illegal', severity: 'high', action: 'block', terms: ['某某'], unless: { near: ['no-such-context'] } });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/unknown context no-such-context/);
  });
});
