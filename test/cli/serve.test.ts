/**
 * The commands as a user runs them: `lastgate serve` (what `npm start` runs),
 * `lastgate user add` against the same DATA_DIR, and `lastgate audit verify`
 * before and after someone edits the audit log behind the application's back.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { databasePath } from '../../src/db/client.js';
import { lastgate, lastgateProcess, stopProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { client, waitFor } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';

const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) await stopProcess(p);
});

describe('lastgate serve + user add + audit verify', () => {
  it('serves the whole pipeline from a data directory and detects audit tampering', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    const { proc } = await lastgateProcess(['serve'], env, /listening on/);
    procs.push(proc);

    const badRole = lastgate(['user', 'add', '--name', 'x', '--role', 'boss'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role/);
    const badAccount = lastgate(['user', 'add', '--name', 'x', '--role', 'editor', '--account', '没有这个号'], env);
    expect(badAccount.code).toBe(2);
    expect(badAccount.stderr).toMatch(/--account: unknown account/);

    const token = (args: string[]) => {
      const r = lastgate(['user', 'add', ...args, '--token-only'], env);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const editor = client(`http://127.0.0.1:${port}`, token(['--name', '王编辑', '--role', 'editor', '--account', '上海社保']));
    const reviewer = client(`http://127.0.0.1:${port}`, token(['--name', '赵审核', '--role', 'reviewer']));

    const sub = await editor.post('/api/posts', { account: '上海社保', title: '社保卡申领指南', body: '市民可通过“随申办”申领社保卡，详询12333。' });
    expect(sub.status).toBe(201);
    const task = await waitFor(async () => (await reviewer.get(`/api/review/tasks?postId=${sub.body.id}`)).body.tasks?.[0], 60_000, 'review task');
    expect((await reviewer.post(`/api/review/tasks/${task.id}/claim`)).status).toBe(200);
    expect((await reviewer.post(`/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).status).toBe(200);
    expect((await editor.post(`/api/posts/${sub.body.id}/publish`)).status).toBe(200);
    expect((await editor.get(`/api/posts/${sub.body.id}`)).body.status).toBe('published');

    await stopProcess(proc);
    const ok = lastgate(['audit', 'verify'], env);
    expect(ok.code, ok.stderr).toBe(0);
    // Seven rows from the steps above, and an eighth when the scheduler's tick started the day's cleanup scan meanwhile.
    const actions = new Database(databasePath(dataDir), { readonly: true }).prepare('SELECT action FROM audit_log ORDER BY seq').pluck().all() as string[];
    expect(actions.filter((a) => a !== 'cleanup.run')).toEqual(['user.add', 'user.add', 'post.submit', 'post.machine_review', 'task.claim', 'task.approve', 'post.publish']);
    expect(ok.stdout).toContain(`intact: ${actions.length} rows`);

    // Someone with file access edits a row, bypassing the triggers.
    const db = new Database(databasePath(dataDir));
    db.exec('DROP TRIGGER audit_log_append_only');
    db.prepare("UPDATE audit_log SET data = replace(data, '\"to\":\"published\"', '\"to\":\"withdrawn\"') WHERE action = 'post.publish'").run();
    const editedSeq = db.prepare("SELECT seq FROM audit_log WHERE action = 'post.publish'").pluck().get();
    db.close();
    const bad = lastgate(['audit', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`row ${editedSeq}`);
  });

  it('names a deleted audit row, also at the end of the chain', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir };
    for (const name of ['甲', '乙', '丙', '丁']) expect(lastgate(['user', 'add', '--name', name, '--role', 'reviewer'], env).code).toBe(0);
    expect(lastgate(['audit', 'verify'], env).code).toBe(0);
    const db = new Database(databasePath(dataDir));
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    db.close();
    const gap = lastgate(['audit', 'verify'], env);
    expect(gap.code).toBe(1);
    expect(gap.stderr).toMatch(/row 2/);

    const dataDir2 = tempDir();
    for (const name of ['甲', '乙']) lastgate(['user', 'add', '--name', name, '--role', 'reviewer'], { DATA_DIR: dataDir2 });
    const db2 = new Database(databasePath(dataDir2));
    db2.exec('DROP TRIGGER audit_log_no_delete');
    db2.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    db2.close();
    const tail = lastgate(['audit', 'verify'], { DATA_DIR: dataDir2 });
    expect(tail.code).toBe(1);
    expect(tail.stderr).toMatch(/row 2/);
  });
});
