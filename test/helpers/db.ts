import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/db/client.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import type { MachineReviewResult } from '../../src/review/types.js';
import { DomainError } from '../../src/store/errors.js';

export function tempDir(prefix = 'lastgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A store on a fresh SQLite file with an editor, two reviewers and a compliance officer. */
export function freshStore(opts: ConstructorParameters<typeof SqliteStore>[1] = {}) {
  const dataDir = tempDir();
  const db = openDb(dataDir);
  const store = new SqliteStore(db, opts);
  const mk = async (name: string, role: 'editor' | 'reviewer' | 'compliance' | 'admin', accounts: string[] = []) => {
    const { token } = store.addUser({ name, role, accounts });
    return (await store.authenticate(token))!;
  };
  return { dataDir, db, store, mk };
}

export function result(partial: Partial<MachineReviewResult> = {}): MachineReviewResult {
  return { verdict: 'pass', categories: [], hits: [], classifier: null, rulesVersion: 'test-rules', modelVersion: null, ...partial };
}

/** The DomainError code a call fails with, or 'ok'. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
}
