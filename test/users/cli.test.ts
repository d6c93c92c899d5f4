/**
 * `lastgate user add|list|disable|enable|rotate` on a temporary DATA_DIR: the
 * real command (bin/lastgate.mjs, one process per command) for the lifecycle
 * and a few refusals, checking its labelled output, `--token-only`, the exit
 * code and what the database then holds; the rest of the refusals through
 * runUserCli in this process (the same code the command runs), so the spawns
 * stay few.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { runUserCli } from '../../src/users/cli.js';
import { lastgate } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

const TOKEN = /^lg_[A-Za-z0-9_-]{43}$/;
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

let dataDir: string;
let env: Record<string, string>;
let store: SqliteStore;

beforeAll(() => {
  dataDir = tempDir();
  env = { DATA_DIR: dataDir };
  store = new SqliteStore(openDb(dataDir));
});
afterAll(() => {
  store?.db.$client.close();
});

function audit(sinceSeq = 0) {
  return store.db.$client.prepare('SELECT actor_id AS actorId, action, entity_id AS entityId, data FROM audit_log WHERE seq > ? ORDER BY seq').all(sinceSeq) as Array<{ actorId: number | null; action: string; entityId: string; data: string }>;
}
const lastSeq = () => (store.db.$client.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() as number);

/** runUserCli in this process on the test's DATA_DIR. */
async function userCli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const saved = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  try {
    const code = await runUserCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    return { code, stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

describe('lastgate user', () => {
  it('adds, lists, disables, rotates and enables users, audited with no actor and no token', async () => {
    const seq = lastSeq();
    const added = lastgate(['user', 'add', '--name', '王编辑', '--role', 'editor', '--account', '人社官微', '--account', '上海社保', '--expires-days', '30'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toBe('');
    const m = new RegExp(`^用户 #(\\d+) 王编辑（编辑）已创建，令牌 (${ISO}) 到期\\ntoken: (lg_\\S+)\\n$`).exec(added.stdout);
    expect(m, added.stdout).not.toBeNull();
    const [, editorId, editorExpiry, editorToken] = m!;
    expect(editorToken).toMatch(TOKEN);
    const expiresIn = Date.parse(editorExpiry!) - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 86_400_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 86_400_000);
    const editor = (await store.authenticate(editorToken!))!;
    expect(editor).toMatchObject({ id: Number(editorId), name: '王编辑', role: 'editor' });
    expect(editor.accountIds).toHaveLength(2);

    const bare = lastgate(['user', 'add', '--name', '赵审核', '--role', 'reviewer', '--token-only'], env);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/^lg_[A-Za-z0-9_-]{43}\n$/);
    const reviewerToken = bare.stdout.trim();
    const reviewer = (await store.authenticate(reviewerToken))!;
    expect(reviewer).toMatchObject({ name: '赵审核', role: 'reviewer', accountIds: [] });

    const list = lastgate(['user', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe(`#${editor.id}\t王编辑\teditor\tenabled\texpires ${editorExpiry}\t人社官微,上海社保\n#${reviewer.id}\t赵审核\treviewer\tenabled\tno-expiry\t-\n`);

    // Disabling (by name) ends the token and the workspace session at once.
    const session = (await store.startSession(reviewerToken))!;
    const off = lastgate(['user', 'disable', '赵审核'], env);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe(`用户 #${reviewer.id} 赵审核（审核员）已停用：令牌和登录会话已失效\n`);
    expect(await store.authenticate(reviewerToken)).toBeNull();
    expect(await store.sessionActor(session.sessionId)).toBeNull();

    // A new token for the disabled reviewer (by #ID): it works once they are enabled (by bare id), the old one never again.
    const rotated = lastgate(['user', 'rotate', `#${reviewer.id}`, '--expires-days', '7'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const r = new RegExp(`^用户 #${reviewer.id} 赵审核（审核员）的令牌已更换（旧令牌已失效），令牌 (${ISO}) 到期\\ntoken: (lg_\\S+)\\n$`).exec(rotated.stdout);
    expect(r, rotated.stdout).not.toBeNull();
    const newReviewerToken = r![2]!;
    expect(await store.authenticate(newReviewerToken)).toBeNull();
    const on = lastgate(['user', 'enable', String(reviewer.id)], env);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toBe(`用户 #${reviewer.id} 赵审核（审核员）已启用\n`);
    expect((await store.authenticate(newReviewerToken))?.id).toBe(reviewer.id);
    expect(await store.authenticate(reviewerToken)).toBeNull();

    const rotatedBare = lastgate(['user', 'rotate', '王编辑', '--token-only'], env);
    expect(rotatedBare.code, rotatedBare.stderr).toBe(0);
    expect(rotatedBare.stdout).toMatch(/^lg_[A-Za-z0-9_-]{43}\n$/);
    expect(await store.authenticate(editorToken!)).toBeNull();
    expect((await store.authenticate(rotatedBare.stdout.trim()))?.id).toBe(editor.id);

    const json = lastgate(['user', 'list', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { id: editor.id, name: '王编辑', role: 'editor', accounts: ['人社官微', '上海社保'], disabled: false, createdAt: expect.stringMatching(new RegExp(`^${ISO}$`)), tokenExpiresAt: null },
      { id: reviewer.id, name: '赵审核', role: 'reviewer', accounts: [], disabled: false, createdAt: expect.stringMatching(new RegExp(`^${ISO}$`)), tokenExpiresAt: r![1] },
    ]);

    const rows = audit(seq).filter((x) => x.action !== 'session.start');
    expect(rows.map((x) => [x.actorId, x.action, x.entityId])).toEqual([
      [null, 'user.add', String(editor.id)],
      [null, 'user.add', String(reviewer.id)],
      [null, 'user.disable', String(reviewer.id)],
      [null, 'user.rotate', String(reviewer.id)],
      [null, 'user.enable', String(reviewer.id)],
      [null, 'user.rotate', String(editor.id)],
    ]);
    const logged = JSON.stringify(audit());
    for (const t of [editorToken!, reviewerToken, newReviewerToken, rotatedBare.stdout.trim()]) expect(logged).not.toContain(t);
  });

  it('exits 2 naming the flag or the user, and changes nothing', async () => {
    await store.retireAccount(null, '海纳百创');
    store.addUser({ name: '唯一管理员', role: 'admin' });
    const seq = lastSeq();
    const users = store.listUsers().length;

    // Through the real command: the exit code reaches the shell, the message goes to stderr.
    const spawned: Array<[string[], string]> = [
      [['user', 'add', '--name', 'x', '--role', 'boss'], 'lastgate: user add: --role must be one of editor, reviewer, compliance, admin\n'],
      [['user', 'add', '--name', '县编辑', '--role', 'editor', '--account', '海纳百创'], 'lastgate: user add: --account: account 海纳百创 is retired and cannot be assigned\n'],
      [['user', 'disable', '没有这个人'], 'lastgate: user disable: no user named 没有这个人\n'],
      [['user', 'disable', '唯一管理员'], 'lastgate: user disable: this is the last enabled admin\n'],
    ];
    for (const [args, stderr] of spawned) {
      const r = lastgate(args, env);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, args.join(' ')).toEqual({ code: 2, stdout: '', stderr });
    }

    // The same code in this process, for every other refusal.
    store.addUser({ name: '王芳', role: 'editor' });
    store.addUser({ name: '王芳', role: 'reviewer' });
    const wangs = store.listUsers().filter((u) => u.name === '王芳').map((u) => u.id);
    const editorId = store.listUsers().find((u) => u.name === '王编辑')!.id;
    const seq2 = lastSeq();
    const cases: Array<[string[], RegExp]> = [
      [['add', '--role', 'editor'], /^lastgate: user add: --name is required\n$/],
      [['add', '--name', '   ', '--role', 'editor'], /^lastgate: user add: --name is required\n$/],
      [['add', '--name', 'x'], /^lastgate: user add: --role must be one of/],
      [['add', '--name', 'x', '--role', 'editor', '--expires-days', '0'], /^lastgate: user add: --expires-days must be a positive whole number of days\n$/],
      [['add', '--name', 'x', '--role', 'editor', '--expires-days', '1.5'], /^lastgate: user add: --expires-days must be a positive whole number/],
      [['add', '--name', 'x', '--role', 'editor', '--expires-days', 'soon'], /^lastgate: user add: --expires-days must be a positive whole number/],
      [['add', '--name', 'x', '--role', 'editor', '--expires-days', '4000'], /^lastgate: user add: --expires-days: expiresInDays must be a whole number of days from 1 to 3650\n$/],
      [['add', '--name', 'x', '--role', 'editor', '--account', '没有这个号'], /^lastgate: user add: --account: unknown account: 没有这个号\n$/],
      [['add', '--name', 'x'.repeat(101), '--role', 'editor'], /^lastgate: user add: --name: name is longer than 100 characters\n$/],
      [['add', '--name', 'x', '--role', 'editor', '--colour', 'red'], /^lastgate: user add: .*--colour/],
      [['add', '--name', 'x', '--role', 'editor', 'extra'], /^lastgate: user add: .*extra/],
      [['list', '--all'], /^lastgate: user list: .*--all/],
      [['rotate', '王编辑', '--role', 'admin'], /^lastgate: user rotate: .*--role/],
      [['disable'], /^lastgate: user disable: name one user \(NAME, #ID or ID\)\n$/],
      [['enable', '王编辑', '赵审核'], /^lastgate: user enable: name one user/],
      [['rotate'], /^lastgate: user rotate: name one user/],
      [['disable', '#99999'], /^lastgate: user disable: no user 99999\n$/],
      [['rotate', '没有这个人'], /^lastgate: user rotate: no user named 没有这个人\n$/],
      [['disable', '王芳'], new RegExp(`^lastgate: user disable: 2 users are named 王芳: #${wangs[0]} \\(editor\\), #${wangs[1]} \\(reviewer\\); name one by #ID\\n$`)],
      [['enable', `#${editorId}`], new RegExp(`^lastgate: user enable: user ${editorId} is not disabled\\n$`)],
      [['frobnicate'], /^lastgate: unknown user command: frobnicate\nusage:\n {2}lastgate user add/],
      [[], /^lastgate: unknown user command: \(none\)/],
    ];
    for (const [args, stderr] of cases) {
      const r = await userCli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(stderr);
    }
    // Disabling a disabled user is refused as well.
    expect(await userCli('disable', `#${wangs[1]}`)).toEqual({ code: 0, stdout: `用户 #${wangs[1]} 王芳（审核员）已停用：令牌和登录会话已失效\n`, stderr: '' });
    expect(await userCli('disable', `#${wangs[1]}`)).toEqual({ code: 2, stdout: '', stderr: `lastgate: user disable: user ${wangs[1]} is already disabled\n` });

    expect(store.listUsers().length).toBe(users + 2);
    expect(audit(seq).map((x) => x.action)).toEqual(['user.add', 'user.add', 'user.disable']);
    expect(audit(seq2).map((x) => x.action)).toEqual(['user.disable']);
  });
});
