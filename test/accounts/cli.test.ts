/**
 * `lastgate account …` and `lastgate unit …` on a temporary DATA_DIR: the real
 * command (one process per command) for every change, each then seen in
 * `list`, and a few refusals; the other refusals through runAccountCli and
 * runUnitCli in this process (the code the command runs), so the spawns stay
 * few.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { runAccountCli, runUnitCli } from '../../src/accounts/cli.js';
import { lastgate } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

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

const lastSeq = () => store.db.$client.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() as number;
function audit(sinceSeq: number) {
  return store.db.$client.prepare('SELECT actor_id AS actorId, action, data FROM audit_log WHERE seq > ? ORDER BY seq').all(sinceSeq) as Array<{ actorId: number | null; action: string; data: string }>;
}

/** Runs `lastgate ARGS` and expects it to succeed with exactly `stdout`. */
function ok(args: string[], stdout: string | RegExp) {
  const r = lastgate(args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  expect(r.stderr).toBe('');
  if (typeof stdout === 'string') expect(r.stdout).toBe(stdout);
  else expect(r.stdout).toMatch(stdout);
  return r.stdout;
}

/** runAccountCli / runUnitCli in this process on the test's DATA_DIR. */
async function inProcess(cmd: 'account' | 'unit', args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
  };
  const saved = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  try {
    const code = await (cmd === 'account' ? runAccountCli : runUnitCli)(args, io);
    return { code, stdout, stderr };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

describe('lastgate account and unit', () => {
  it('adds a unit and an account, renames, moves, retires and reinstates it, renames the unit; each change shows in list and the audit log', () => {
    const seq = lastSeq();
    ok(['unit', 'add', '某区人社局'], '已添加单位「某区人社局」\n');
    ok(['account', 'add', '--name', '某区人社视频号', '--platform', 'other', '--unit', '某区人社局', '--lead'], '已添加账号「某区人社视频号」（other，某区人社局，主账号）\n');
    ok(['account', 'rename', '某区人社视频号', '某区人社发布'], '账号「某区人社视频号」已更名为「某区人社发布」\n');
    ok(['account', 'move', '某区人社发布', '--unit', '市社保中心'], '账号「某区人社发布」已划归「市社保中心」\n');
    ok(['account', 'retire', '某区人社发布'], '已停用账号「某区人社发布」：不再接收新稿件，已发布内容仍纳入清理\n');

    const list = ok(['account', 'list'], /.*/).split('\n');
    expect(list.at(-1)).toBe('');
    expect(list).toContainEqual(expect.stringMatching(new RegExp(`^某区人社发布\tother\t市社保中心\t主账号\t加入 ${ISO}\t停用 ${ISO}$`)));
    expect(list).toContainEqual(expect.stringMatching(new RegExp(`^人社官微\twechat\t局宣教中心\t主账号\t加入 ${ISO}\t在用$`)));
    expect(list.filter((l) => l.startsWith('某区人社视频号'))).toEqual([]);
    expect(list).toHaveLength(10); // the eight seeded accounts, the new one, and the final newline

    ok(['unit', 'rename', '某区人社局', '某区人力资源和社会保障局'], '单位「某区人社局」已更名为「某区人力资源和社会保障局」\n');
    const units = ok(['unit', 'list'], /.*/);
    expect(units).toContain('某区人力资源和社会保障局\t在用账号 0\t停用账号 0\n');
    expect(units).toContain('市社保中心\t在用账号 1\t停用账号 1\n');
    expect(units).not.toContain('某区人社局\t');

    ok(['account', 'reinstate', '某区人社发布'], '已恢复账号「某区人社发布」\n');
    const json = JSON.parse(ok(['account', 'list', '--json'], /^\[.*\]\n$/));
    expect(json.find((a: { name: string }) => a.name === '某区人社发布')).toMatchObject({ name: '某区人社发布', platform: 'other', unit: '市社保中心', lead: true, retiredAt: null, joinedAt: expect.stringMatching(new RegExp(`^${ISO}$`)) });
    expect(json).toHaveLength(9);
    const unitJson = JSON.parse(ok(['unit', 'list', '--json'], /^\[.*\]\n$/));
    expect(unitJson).toContainEqual({ id: expect.any(Number), name: '市社保中心', accounts: 2, retiredAccounts: 0 });

    expect(audit(seq).map((x) => [x.actorId, x.action])).toEqual([
      [null, 'unit.add'],
      [null, 'account.add'],
      [null, 'account.rename'],
      [null, 'account.move'],
      [null, 'account.retire'],
      [null, 'unit.rename'],
      [null, 'account.reinstate'],
    ]);
    expect(JSON.parse(audit(seq)[3]!.data)).toEqual({ account: '某区人社发布', fromUnit: '某区人社局', toUnit: '市社保中心' });
  });

  it('exits 2 naming the flag or the account, and changes nothing', async () => {
    const seq = lastSeq();
    const spawned: Array<[string[], string]> = [
      [['account', 'add', '--name', '某号', '--platform', 'tiktok', '--unit', '局宣教中心'], 'lastgate: --platform must be one of wechat, weibo, website, other\n'],
      [['account', 'retire', '没有这个号'], 'lastgate: unknown account: 没有这个号\n'],
      [['unit', 'add', '局宣教中心'], 'lastgate: a unit named 局宣教中心 already exists\n'],
    ];
    for (const [args, stderr] of spawned) {
      const r = lastgate(args, env);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, args.join(' ')).toEqual({ code: 2, stdout: '', stderr });
    }

    const cases: Array<['account' | 'unit', string[], RegExp]> = [
      ['account', ['add', '--platform', 'wechat', '--unit', '局宣教中心'], /^lastgate: --name is required\n$/],
      ['account', ['add', '--name', '  ', '--platform', 'wechat', '--unit', '局宣教中心'], /^lastgate: --name is required\n$/],
      ['account', ['add', '--name', '某号', '--unit', '局宣教中心'], /^lastgate: --platform must be one of/],
      ['account', ['add', '--name', '某号', '--platform', 'wechat'], /^lastgate: --unit is required\n$/],
      ['account', ['add', '--name', '某号', '--platform', 'wechat', '--unit', '没有的单位'], /^lastgate: --unit: unknown unit: 没有的单位\n$/],
      ['account', ['add', '--name', '人社官微', '--platform', 'wechat', '--unit', '局宣教中心'], /^lastgate: --name: an account named 人社官微 already exists\n$/],
      ['account', ['add', '--name', 'x'.repeat(101), '--platform', 'wechat', '--unit', '局宣教中心'], /^lastgate: --name: name has more than 100 characters\n$/],
      ['account', ['add', '--name', '某号', '--platform', 'wechat', '--unit', '局宣教中心', '--colour', 'red'], /^lastgate: account add: .*--colour/],
      ['account', ['rename', '人社官微'], /^lastgate: account rename: expected 2 arguments, got 1\nusage:/],
      ['account', ['rename', '没有这个号', '新号'], /^lastgate: unknown account: 没有这个号\n$/],
      ['account', ['rename', '人社官微', '上海社保'], /^lastgate: an account named 上海社保 already exists\n$/],
      ['account', ['rename', '人社官微', ' '], /^lastgate: name must not be empty\n$/],
      ['account', ['move', '人社官微'], /^lastgate: --unit is required\n$/],
      ['account', ['move', '人社官微', '--unit', '没有的单位'], /^lastgate: --unit: unknown unit: 没有的单位\n$/],
      ['account', ['move', '没有这个号', '--unit', '局宣教中心'], /^lastgate: unknown account: 没有这个号\n$/],
      ['account', ['move', '--unit', '局宣教中心'], /^lastgate: account move: expected 1 argument, got 0\n/],
      ['account', ['reinstate', '人社官微'], /^lastgate: account 人社官微 is in use, not retired\n$/],
      ['account', ['retire'], /^lastgate: account retire: expected 1 argument, got 0\n/],
      ['account', ['list', 'extra'], /^lastgate: account list: .*extra/],
      ['account', ['close', '人社官微'], /^lastgate: unknown account command: close\nusage:/],
      ['unit', ['add'], /^lastgate: unit add: expected 1 argument, got 0\n/],
      ['unit', ['add', ' '], /^lastgate: name must not be empty\n$/],
      ['unit', ['rename', '没有的单位', '新单位'], /^lastgate: unknown unit: 没有的单位\n$/],
      ['unit', ['rename', '局宣教中心', '市社保中心'], /^lastgate: a unit named 市社保中心 already exists\n$/],
      ['unit', ['remove', '局宣教中心'], /^lastgate: unknown unit command: remove\n/],
    ];
    for (const [cmd, args, stderr] of cases) {
      const r = await inProcess(cmd, args);
      const what = `${cmd} ${args.join(' ')}`;
      expect(r.code, what).toBe(2);
      expect(r.stdout, what).toBe('');
      expect(r.stderr, what).toMatch(stderr);
    }
    // Retiring twice is refused too.
    expect(await inProcess('account', ['retire', '海纳百创'])).toEqual({ code: 0, stdout: '已停用账号「海纳百创」：不再接收新稿件，已发布内容仍纳入清理\n', stderr: '' });
    expect(await inProcess('account', ['retire', '海纳百创'])).toEqual({ code: 2, stdout: '', stderr: 'lastgate: account 海纳百创 is already retired\n' });

    expect(audit(seq).map((x) => x.action)).toEqual(['account.retire']);
    const accounts = await store.listAccountViews(null, { includeRetired: true });
    expect(accounts.map((a) => a.name)).not.toContain('某号');
    expect(accounts.find((a) => a.name === '人社官微')).toMatchObject({ unit: '局宣教中心', retiredAt: null });
  });
});
