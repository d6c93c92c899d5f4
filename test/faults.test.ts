/**
 * The short run of the fault suite's server crash (scripts/faults.ts): a
 * `lastgate serve` process killed with SIGKILL under load and restarted;
 * every acknowledged post is reviewed exactly once, none is stored twice for
 * a retried Idempotency-Key. The other faults' short versions are in
 * test/queue/bullmq.test.ts and test/http/storage-faults.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';

it('loses and duplicates nothing when the server is killed with SIGKILL under load', () => {
  const r = spawnSync(process.execPath, ['bin/run-ts.mjs', 'scripts/faults.ts', 'server-kill', '--short', '--no-write'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"fault":"server-kill"'));
  expect(line, r.stderr.slice(-2000)).toBeDefined();
  const out = JSON.parse(line!) as { acknowledged: number; lost: number; duplicated: number; recoveryMs: number | null };
  expect(out.acknowledged).toBeGreaterThan(50);
  expect(out).toMatchObject({ lost: 0, duplicated: 0 });
  expect(out.recoveryMs).not.toBeNull();
  expect(r.status).toBe(0);
}, 300_000);
