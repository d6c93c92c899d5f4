/**
 * `lastgate account …` and `lastgate unit …`: the accounts and units of the
 * matrix from a shell, on the same DATA_DIR as the server. The operator with
 * shell access acts as an admin; the audit log records actor null. Exit code
 * 0 on success, 2 on a refused or malformed command (the message names the
 * flag or the account).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { SqliteStore } from '../service/sqlite.js';
import { DomainError } from '../store/errors.js';
import { PLATFORMS, type AccountView } from './programs.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const ACCOUNT_USAGE = `usage:
  lastgate account list [--json]
  lastgate account add --name NAME --platform ${PLATFORMS.join('|')} --unit UNIT [--lead]
  lastgate account rename OLD NEW
  lastgate account move NAME --unit UNIT
  lastgate account retire NAME
  lastgate account reinstate NAME
  lastgate unit list [--json]
  lastgate unit add NAME
  lastgate unit rename OLD NEW`;

function fail(io: Io, message: string): number {
  io.stderr.write(`lastgate: ${message}\n`);
  return 2;
}

/** Opens the store, runs `fn`, maps a DomainError to exit code 2 with its field as the flag (`flags` says which fields are flags). */
async function withStore(io: Io, flags: readonly string[], fn: (store: SqliteStore) => Promise<number>): Promise<number> {
  const db = openDb(loadConfig().dataDir);
  try {
    return await fn(new SqliteStore(db));
  } catch (err) {
    if (err instanceof DomainError) return fail(io, `${err.field && flags.includes(err.field) ? `--${err.field}: ` : ''}${err.message}`);
    throw err;
  } finally {
    db.$client.close();
  }
}

function parse(io: Io, args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: number, what: string): { values: Record<string, string | boolean | undefined>; positionals: string[] } | number {
  let r;
  try {
    r = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  } catch (e) {
    return fail(io, `${what}: ${(e as Error).message}`);
  }
  if (r.positionals.length !== positionals) return fail(io, `${what}: expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${r.positionals.length}\n${ACCOUNT_USAGE}`);
  return r as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function line(a: AccountView): string {
  return [a.name, a.platform, a.unit ?? '-', a.lead ? '主账号' : '-', `加入 ${a.joinedAt ?? '-'}`, a.retiredAt ? `停用 ${a.retiredAt}` : '在用'].join('\t');
}

export async function runAccountCli(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const p = parse(io, rest, { json: { type: 'boolean' } }, 0, 'account list');
      if (typeof p === 'number') return p;
      return withStore(io, [], async (store) => {
        const list = await store.listAccountViews(null, { includeRetired: true });
        io.stdout.write(p.values.json ? `${JSON.stringify(list)}\n` : list.map((a) => `${line(a)}\n`).join(''));
        return 0;
      });
    }
    case 'add': {
      const p = parse(io, rest, { name: { type: 'string' }, platform: { type: 'string' }, unit: { type: 'string' }, lead: { type: 'boolean' } }, 0, 'account add');
      if (typeof p === 'number') return p;
      const { name, platform, unit, lead } = p.values as { name?: string; platform?: string; unit?: string; lead?: boolean };
      if (!name?.trim()) return fail(io, '--name is required');
      if (!platform || !(PLATFORMS as readonly string[]).includes(platform)) return fail(io, `--platform must be one of ${PLATFORMS.join(', ')}`);
      if (!unit?.trim()) return fail(io, '--unit is required');
      return withStore(io, ['name', 'platform', 'unit'], async (store) => {
        const a = await store.addAccount(null, { name, platform, unit, lead: lead ?? false });
        io.stdout.write(`已添加账号「${a.name}」（${a.platform}，${a.unit}${a.lead ? '，主账号' : ''}）\n`);
        return 0;
      });
    }
    case 'rename': {
      const p = parse(io, rest, {}, 2, 'account rename');
      if (typeof p === 'number') return p;
      const [from, to] = p.positionals as [string, string];
      return withStore(io, [], async (store) => {
        io.stdout.write(`账号「${from}」已更名为「${(await store.renameAccount(null, from, to)).name}」\n`);
        return 0;
      });
    }
    case 'move': {
      const p = parse(io, rest, { unit: { type: 'string' } }, 1, 'account move');
      if (typeof p === 'number') return p;
      const unit = p.values.unit as string | undefined;
      if (!unit?.trim()) return fail(io, '--unit is required');
      return withStore(io, ['unit'], async (store) => {
        const a = await store.moveAccount(null, p.positionals[0]!, unit);
        io.stdout.write(`账号「${a.name}」已划归「${a.unit}」\n`);
        return 0;
      });
    }
    case 'retire':
    case 'reinstate': {
      const p = parse(io, rest, {}, 1, `account ${sub}`);
      if (typeof p === 'number') return p;
      return withStore(io, [], async (store) => {
        const a = sub === 'retire' ? await store.retireAccount(null, p.positionals[0]!) : await store.reinstateAccount(null, p.positionals[0]!);
        io.stdout.write(sub === 'retire' ? `已停用账号「${a.name}」：不再接收新稿件，已发布内容仍纳入清理\n` : `已恢复账号「${a.name}」\n`);
        return 0;
      });
    }
    default:
      return fail(io, `unknown account command: ${sub ?? '(none)'}\n${ACCOUNT_USAGE}`);
  }
}

export async function runUnitCli(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const p = parse(io, rest, { json: { type: 'boolean' } }, 0, 'unit list');
      if (typeof p === 'number') return p;
      return withStore(io, [], async (store) => {
        const list = await store.listUnits();
        io.stdout.write(p.values.json ? `${JSON.stringify(list)}\n` : list.map((u) => `${u.name}\t在用账号 ${u.accounts}\t停用账号 ${u.retiredAccounts}\n`).join(''));
        return 0;
      });
    }
    case 'add': {
      const p = parse(io, rest, {}, 1, 'unit add');
      if (typeof p === 'number') return p;
      return withStore(io, [], async (store) => {
        io.stdout.write(`已添加单位「${(await store.addUnit(null, { name: p.positionals[0]! })).name}」\n`);
        return 0;
      });
    }
    case 'rename': {
      const p = parse(io, rest, {}, 2, 'unit rename');
      if (typeof p === 'number') return p;
      const [from, to] = p.positionals as [string, string];
      return withStore(io, [], async (store) => {
        io.stdout.write(`单位「${from}」已更名为「${(await store.renameUnit(null, from, { name: to })).name}」\n`);
        return 0;
      });
    }
    default:
      return fail(io, `unknown unit command: ${sub ?? '(none)'}\n${ACCOUNT_USAGE}`);
  }
}
