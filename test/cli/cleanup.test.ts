/**
 * `lastgate policies import` and `lastgate cleanup run|status` on a data
 * directory, as a compliance officer runs them from a shell.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { lastgate } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { publishThrough } from '../helpers/publish.js';

describe('lastgate policies import + cleanup run', () => {
  it('imports a registry, reports bad lines, and runs a cleanup with progress', async () => {
    const dataDir = tempDir();
    const db = openDb(dataDir);
    const store = new SqliteStore(db);
    const editor = (await store.authenticate(store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token))!;
    const reviewer = (await store.authenticate(store.addUser({ name: '审核员', role: 'reviewer' }).token))!;
    const cites = await publishThrough(store, editor, reviewer, { account: '人社官微', body: '根据沪人社规〔2023〕12号执行，报名截止时间为2026年12月1日。' });
    await publishThrough(store, editor, reviewer, { account: '人社官微', body: '本周六举办招聘会。' });
    db.$client.close();
    const env = { DATA_DIR: dataDir };

    const bad = join(dataDir, 'bad.csv');
    writeFileSync(bad, '文号,标题,状态\n沪人社规〔2023〕12号,旧通知,已废止\n不是文号,另一个,已废止\n');
    const refused = lastgate(['policies', 'import', bad], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.csv line 3: docNo/);

    const good = join(dataDir, 'policies.csv');
    writeFileSync(good, '文号,标题,发布日期,状态\n沪人社规〔2023〕12号,关于调整本市职工基本养老金的通知,2023-06-01,已废止\n');
    const imported = lastgate(['policies', 'import', good], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/1 new/);

    const run = lastgate(['cleanup', 'run', '--checks', 'policy,deadline', '--as-of', '2026-12-02'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/100% 1\/1 batches · 2 posts · opened 2/);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ state: 'done', opened: 2, totalPosts: 2 });

    const status = lastgate(['cleanup', 'status'], env);
    expect(status.stdout).toMatch(/run 1 \(cli, policy\+deadline, as of 2026-12-02\) done/);
    expect(lastgate(['cleanup', 'run', '--checks', 'nonsense'], env).code).toBe(2);

    const check = openDb(dataDir);
    const kinds = check.$client.prepare('SELECT kind FROM cleanup_tasks WHERE post_id = ? ORDER BY kind').pluck().all(cites);
    check.$client.close();
    expect(kinds).toEqual(['deadline', 'policy']);
  }, 120_000);
});
