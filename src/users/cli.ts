/**
 * `lastgate user add|list|disable|enable|rotate`: the user lifecycle from the
 * shell. The operator with shell access acts as nobody in particular (audit
 * actor null), as with every CLI change. A user is named by `#ID`, a bare id,
 * or a name only one user has.
 *
 * Output: `user add` and `user rotate` print a labelled line and then
 * `token: lg_…` (with `--token-only`, the bare token and nothing else, for
 * scripts); `user list --json` prints one JSON array. Errors go to stderr with
 * exit code 2.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import type { Role } from '../review/transitions.js';
import type { IssuedToken, UserSummary } from './programs.js';

const ROLES: readonly Role[] = ['editor', 'reviewer', 'compliance', 'admin'];
const ROLE_LABEL: Record<Role, string> = { editor: '编辑', reviewer: '审核员', compliance: '合规审查', admin: '管理员' };

export const USER_USAGE = `  lastgate user add --name NAME --role editor|reviewer|compliance|admin [--account ACCOUNT]... [--expires-days N] [--token-only]
  lastgate user list [--json]
  lastgate user disable|enable NAME|#ID
  lastgate user rotate NAME|#ID [--expires-days N] [--token-only]`;

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

function days(v: string | undefined): number | undefined | string {
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) return '--expires-days must be a positive whole number of days';
  return Number(v);
}

function issuedText(t: IssuedToken, what: string): string {
  const expiry = t.tokenExpiresAt ? `，令牌 ${t.tokenExpiresAt} 到期` : '，令牌长期有效';
  return `用户 #${t.id} ${t.name}（${ROLE_LABEL[t.role]}）${what}${expiry}\ntoken: ${t.token}\n`;
}

function listText(list: UserSummary[]): string {
  if (list.length === 0) return '（还没有用户）\n';
  return list
    .map((u) =>
      [`#${u.id}`, u.name, u.role, u.disabled ? 'disabled' : 'enabled', u.tokenExpiresAt ? `expires ${u.tokenExpiresAt}` : 'no-expiry', u.accounts.length ? u.accounts.join(',') : '-'].join('\t'),
    )
    .join('\n')
    .concat('\n');
}

export async function runUserCli(args: string[], io: Io): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`lastgate: ${message}\n`);
    return 2;
  };
  const [sub, ...rest] = args;
  if (!sub || !['add', 'list', 'disable', 'enable', 'rotate'].includes(sub)) return fail(`unknown user command: ${sub ?? '(none)'}\nusage:\n${USER_USAGE}`);

  let values: { name?: string; role?: string; account?: string[]; 'expires-days'?: string; 'token-only'?: boolean; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        ...(sub === 'add' ? { name: { type: 'string' }, role: { type: 'string' }, account: { type: 'string', multiple: true } } : {}),
        ...(sub === 'add' || sub === 'rotate' ? { 'expires-days': { type: 'string' }, 'token-only': { type: 'boolean' } } : {}),
        ...(sub === 'list' ? { json: { type: 'boolean' } } : {}),
      },
      allowPositionals: sub === 'disable' || sub === 'enable' || sub === 'rotate',
      strict: true,
    }) as { values: typeof values; positionals: string[] });
  } catch (e) {
    return fail(`user ${sub}: ${(e as Error).message}`);
  }

  const expires = days(values['expires-days']);
  if (typeof expires === 'string') return fail(`user ${sub}: ${expires}`);
  if (sub === 'add') {
    if (!values.name?.trim()) return fail('user add: --name is required');
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) return fail(`user add: --role must be one of ${ROLES.join(', ')}`);
  }
  if ((sub === 'disable' || sub === 'enable' || sub === 'rotate') && positionals.length !== 1) return fail(`user ${sub}: name one user (NAME, #ID or ID)`);

  const { openDb } = await import('../db/client.js');
  const { SqliteStore } = await import('../service/sqlite.js');
  const { DomainError } = await import('../store/errors.js');
  const db = openDb(loadConfig().dataDir);
  try {
    const store = new SqliteStore(db);
    const exp = expires === undefined ? {} : { expiresInDays: expires };
    switch (sub) {
      case 'add': {
        const t = store.addUser({ name: values.name!.trim(), role: values.role as Role, accounts: values.account ?? [], ...exp });
        io.stdout.write(values['token-only'] ? `${t.token}\n` : issuedText(t, '已创建'));
        return 0;
      }
      case 'list': {
        const list = store.listUsers();
        io.stdout.write(values.json ? `${JSON.stringify(list)}\n` : listText(list));
        return 0;
      }
      case 'disable': {
        const u = store.disableUser(null, store.findUser(positionals[0]!).id);
        io.stdout.write(`用户 #${u.id} ${u.name}（${ROLE_LABEL[u.role]}）已停用：令牌和登录会话已失效\n`);
        return 0;
      }
      case 'enable': {
        const u = store.enableUser(null, store.findUser(positionals[0]!).id);
        io.stdout.write(`用户 #${u.id} ${u.name}（${ROLE_LABEL[u.role]}）已启用\n`);
        return 0;
      }
      default: {
        const t = store.rotateToken(null, store.findUser(positionals[0]!).id, exp);
        io.stdout.write(values['token-only'] ? `${t.token}\n` : issuedText(t, '的令牌已更换（旧令牌已失效）'));
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof DomainError) {
      const flag = err.field === 'accounts' ? '--account' : err.field === 'expiresInDays' ? '--expires-days' : err.field ? `--${err.field}` : '';
      return fail(`user ${sub}: ${flag ? `${flag}: ` : ''}${err.message}`);
    }
    throw err;
  } finally {
    db.$client.close();
  }
}
