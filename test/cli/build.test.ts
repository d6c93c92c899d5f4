/**
 * The JavaScript build of the CLI (scripts/build.mjs, run by `npm install`)
 * behaves as the TypeScript sources do: built into a temporary directory, its
 * `scan` gives byte for byte the output of the sources run through tsx.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/db.js';
import { REPO } from '../rules/paths.js';

const posts = [
  { id: 'a', body: '賭*博平台注册就送，联系13812345678', date: '2026-03-01' },
  { id: 'b', title: '通知', body: '国家主席李强出席会议，认真落实“十四五”规划', date: '2026-03-01' },
  { id: 'c', body: '本周六举办招聘会，咨询电话12333。' },
]
  .map((p) => JSON.stringify(p))
  .join('\n');

describe('built CLI', () => {
  it('scans exactly as the sources do', () => {
    // Inside the repository, so the build's external packages resolve from node_modules as dist/'s do.
    mkdirSync(join(REPO, '.cache'), { recursive: true });
    const out = mkdtempSync(join(REPO, '.cache', 'build-test-'));
    execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), '--out', out], { cwd: REPO });
    expect(existsSync(join(out, 'cli.mjs'))).toBe(true);
    const env = { ...process.env, DATA_DIR: tempDir(), LASTGATE_TZ: 'Asia/Shanghai' };
    const built = execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(join(out, 'cli.mjs'))}); process.exitCode = await main(['scan', '--no-classifier']);`], { input: posts, env, cwd: REPO }).toString();
    const source = execFileSync(process.execPath, [join(REPO, 'bin/lastgate.mjs'), 'scan', '--no-classifier'], { input: posts, env: { ...env, LASTGATE_FROM_SOURCE: '1' }, cwd: REPO }).toString();
    expect(built.split('\n').filter(Boolean)).toHaveLength(3);
    expect(built).toBe(source);
    rmSync(out, { recursive: true, force: true });
  }, 60_000);
});
