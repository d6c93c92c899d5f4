/**
 * Signed audit checkpoints catch what the hash chain alone cannot: a history
 * replaced through the application from an older copy of the database (a
 * fork), an older copy put back (a rollback), and rows cut off the end with
 * `sqlite_sequence` lowered (a truncation). Each passes `audit verify` and
 * fails `audit verify --checkpoint`; the untouched log passes both. All
 * through the real CLI on a real SQLite file.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasePath } from '../../src/db/client.js';
import { lastgate } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

/** A data directory with `n` users added (one audit row each), a signing key outside it, and a checkpoint of its head. */
function setup(n: number) {
  const dataDir = tempDir();
  const keys = tempDir();
  const env = { DATA_DIR: dataDir, LASTGATE_AUDIT_KEY: join(keys, 'audit.pem') };
  const gen = lastgate(['audit', 'keygen', env.LASTGATE_AUDIT_KEY], env);
  expect(gen.code, gen.stderr).toBe(0);
  const publicKey = join(keys, 'audit.pub');
  writeFileSync(publicKey, gen.stdout.slice(gen.stdout.indexOf('-----BEGIN')));
  for (let i = 0; i < n; i++) expect(lastgate(['user', 'add', '--name', `用户${i}`, '--role', 'reviewer'], env).code).toBe(0);
  return { dataDir, keys, env, publicKey };
}

function snapshot(dataDir: string, to: string) {
  for (const ext of ['', '-wal', '-shm']) if (existsSync(databasePath(dataDir) + ext)) copyFileSync(databasePath(dataDir) + ext, to + ext);
}

function restore(from: string, dataDir: string) {
  for (const ext of ['', '-wal', '-shm']) {
    rmSync(databasePath(dataDir) + ext, { force: true });
    if (existsSync(from + ext)) copyFileSync(from + ext, databasePath(dataDir) + ext);
  }
}

function takeCheckpoint(env: Record<string, string>, file: string) {
  const r = lastgate(['audit', 'checkpoint', '--out', file], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { seq: number; hash: string };
}

describe('audit checkpoints', () => {
  it('an untouched log extends its checkpoints, also after more rows; a tampered checkpoint file is refused', () => {
    const { env, keys, publicKey } = setup(2);
    const file = join(keys, 'checkpoints.jsonl');
    expect(takeCheckpoint(env, file).seq).toBe(2);
    lastgate(['user', 'add', '--name', '后来者', '--role', 'editor'], env);
    expect(takeCheckpoint(env, file).seq).toBe(3);
    lastgate(['user', 'add', '--name', '再后来者', '--role', 'editor'], env);
    const ok = lastgate(['audit', 'verify', '--checkpoint', file, '--public-key', publicKey], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/intact: 4 rows; extends all 2 checkpoints \(the last at row 3/);

    // A checkpoint edited to point elsewhere no longer carries a valid signature.
    const forged = readFileSync(file, 'utf8').replace(/"seq":3/, '"seq":1');
    writeFileSync(file, forged);
    const bad = lastgate(['audit', 'verify', '--checkpoint', file], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid signature/);
    // Signed by another key than the pinned one.
    const other = setup(0);
    const otherFile = join(other.keys, 'cp.json');
    takeCheckpoint({ ...env, LASTGATE_AUDIT_KEY: other.env.LASTGATE_AUDIT_KEY }, otherFile);
    const wrongKey = lastgate(['audit', 'verify', '--checkpoint', otherFile, '--public-key', publicKey], env);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/another key than the trusted one/);
  });

  it('a fork (an older copy continued through the application) passes the chain check and fails the checkpoint', () => {
    const { dataDir, keys, env } = setup(3);
    const old = join(keys, 'old.sqlite');
    snapshot(dataDir, old);
    lastgate(['user', 'add', '--name', '真实记录甲', '--role', 'admin'], env);
    lastgate(['user', 'add', '--name', '真实记录乙', '--role', 'admin'], env);
    const file = join(keys, 'cp.json');
    expect(takeCheckpoint(env, file).seq).toBe(5);

    // The older copy put back and a different history recorded through lastgate itself.
    restore(old, dataDir);
    for (const name of ['伪造甲', '伪造乙', '伪造丙']) lastgate(['user', 'add', '--name', name, '--role', 'reviewer'], env);
    const chain = lastgate(['audit', 'verify'], env);
    expect(chain.code, chain.stderr).toBe(0);
    const r = lastgate(['audit', 'verify', '--checkpoint', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 5 is not the one the checkpoint .* recorded .*a fork/);
  });

  it('a rollback (an older copy put back) fails the checkpoint', () => {
    const { dataDir, keys, env } = setup(2);
    const old = join(keys, 'old.sqlite');
    snapshot(dataDir, old);
    lastgate(['user', 'add', '--name', '丙', '--role', 'editor'], env);
    const file = join(keys, 'cp.json');
    takeCheckpoint(env, file);
    restore(old, dataDir);
    expect(lastgate(['audit', 'verify'], env).code).toBe(0);
    const r = lastgate(['audit', 'verify', '--checkpoint', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the log ends at row 2, but the checkpoint .* recorded row 3: .*rollback or truncation/);
  });

  it('a truncation with sqlite_sequence lowered passes the chain check and fails the checkpoint', () => {
    const { dataDir, keys, env } = setup(4);
    const file = join(keys, 'cp.json');
    takeCheckpoint(env, file);
    const db = new Database(databasePath(dataDir));
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq > 2').run();
    db.prepare("UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit_log'").run();
    db.close();
    expect(lastgate(['audit', 'verify'], env).code).toBe(0);
    const r = lastgate(['audit', 'verify', '--checkpoint', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the log ends at row 2, but the checkpoint .* recorded row 4/);
  });

  it('says what is missing: no key, an unreadable file, a file that holds no checkpoint', () => {
    const dataDir = tempDir();
    const noKey = lastgate(['audit', 'checkpoint'], { DATA_DIR: dataDir, LASTGATE_AUDIT_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no signing key: pass --key FILE or set LASTGATE_AUDIT_KEY/);
    const missing = lastgate(['audit', 'verify', '--checkpoint', join(dataDir, 'nope.json')], { DATA_DIR: dataDir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--checkpoint: cannot read .*ENOENT/);
    const junk = join(dataDir, 'junk.jsonl');
    writeFileSync(junk, '{"format":"lastgate-audit-checkpoint/1","seq":1}\nnot json\n');
    const r = lastgate(['audit', 'verify', '--checkpoint', junk], { DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 1: not a lastgate-audit-checkpoint\/1 checkpoint/);
  });
});

describe('scheduled checkpoints', () => {
  it('the scheduler tick exports one per interval to the file and to account-wide webhooks, and the file verifies', async () => {
    const { dataDir, keys, env } = setup(2);
    const { openDb } = await import('../../src/db/client.js');
    const { CheckpointExporter } = await import('../../src/audit/export.js');
    const { signingKey } = await import('../../src/audit/checkpoint.js');
    const { Ticker } = await import('../../src/schedule/ticker.js');
    const db = openDb(dataDir);
    db.$client.prepare("INSERT INTO webhooks (account_id, url, secret) VALUES (NULL, 'http://receiver.example/hook', 's1')").run();
    db.$client.prepare("INSERT INTO webhooks (account_id, url, secret) VALUES ((SELECT id FROM accounts LIMIT 1), 'http://account.example/hook', 's2')").run();
    const file = join(keys, 'scheduled.jsonl');
    let now = new Date('2026-12-03T08:00:00Z');
    const exporter = new CheckpointExporter(db, { key: signingKey(readFileSync(env.LASTGATE_AUDIT_KEY, 'utf8')), file, intervalMs: 3600_000, now: () => now });
    const store = { publishDue: async () => ({ published: [], due: [] }), raiseFreshnessAlerts: () => [] };
    const cleanup = { runsOn: () => 1, publishedCount: () => 0, startRun: () => ({ id: 0 }) };
    const ticker = new Ticker(store, cleanup, () => now, exporter);
    expect((await ticker.tick()).checkpoint).toBe(2);
    now = new Date('2026-12-03T08:30:00Z');
    expect((await ticker.tick()).checkpoint).toBeNull();
    db.$client.prepare("INSERT INTO webhooks (account_id, url, secret) VALUES (NULL, 'http://second.example/hook', 's3')").run();
    now = new Date('2026-12-03T09:00:00Z');
    expect((await ticker.tick()).checkpoint).toBe(2);
    const deliveries = db.$client.prepare("SELECT w.url, d.payload FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.event = 'audit.checkpoint' ORDER BY d.id").all() as Array<{ url: string; payload: string }>;
    // Account-wide webhooks receive each checkpoint; the account-specific one none.
    expect(deliveries.map((d) => d.url)).toEqual(['http://receiver.example/hook', 'http://receiver.example/hook', 'http://second.example/hook']);
    expect(JSON.parse(deliveries[0]!.payload)).toMatchObject({ event: 'audit.checkpoint', checkpoint: { seq: 2, format: 'lastgate-audit-checkpoint/1' } });
    db.$client.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    const ok = lastgate(['audit', 'verify', '--checkpoint', file], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/extends all 2 checkpoints/);
  });
});
