import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasSharedData, officialPart, coldPart, readCold, readOfficial, splitPoint } from '../../src/evaluation/real-data.js';

const script = fileURLToPath(new URL('../../scripts/classifier/real_data.py', import.meta.url));

/** A Python 3 interpreter (real_data.py needs only the standard library). */
function python(): string {
  for (const candidate of ['/usr/bin/python3.11', 'python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'import hashlib, json'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('no python3 on this machine: the training code cannot run either');
}

describe('the real-data split in TypeScript and Python', () => {
  it('hashes groups the same way (fixed examples)', () => {
    const out = execFileSync(python(), ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('../../scripts/classifier/', import.meta.url)))}); import real_data as r; print(r.split_point('cold-dev-00001'), r.official_part('gov_work_report:1954'), r.cold_part('dev', 'cold-dev-00002'), r.cold_part('train', 'x'))`], { encoding: 'utf8' }).trim().split(' ');
    expect(Number(out[0])).toBe(splitPoint('cold-dev-00001'));
    expect(out[1]).toBe(officialPart('gov_work_report:1954'));
    expect(out[2]).toBe(coldPart('dev', 'cold-dev-00002'));
    expect(out[3]).toBe('train');
  });

  it.runIf(hasSharedData())('gives every real text of ../shared/data the same part', () => {
    const lines = execFileSync(python(), [script], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).trim().split('\n');
    const py = new Map(lines.map((l) => l.split('\t') as [string, string, string]).map(([id, part]) => [id, part]));
    const ts = new Map<string, string>([...readCold().map((r) => [r.id, r.part] as const), ...readOfficial().map((r) => [r.id, r.part] as const)]);
    expect(py.size).toBe(ts.size);
    expect(ts.size).toBeGreaterThan(38_000);
    const disagree = [...ts].filter(([id, part]) => py.get(id) !== part);
    expect(disagree).toEqual([]);
    // Ids are unique, and all three parts are used by both sources.
    expect(lines).toHaveLength(ts.size);
    for (const part of ['train', 'dev', 'holdout']) {
      expect(readOfficial().some((r) => r.part === part)).toBe(true);
      expect(readCold().some((r) => r.part === part)).toBe(true);
    }
  });
});
