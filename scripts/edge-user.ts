/**
 * `lastgate user add` for the Cloudflare Worker's D1 database: the same store
 * program (addUser, audited) as the Node CLI, run from Node on the D1 binding
 * that wrangler's getPlatformProxy provides.
 *
 *   node bin/run-ts.mjs scripts/edge-user.ts --name NAME --role ROLE [--account ACCOUNT]... [--remote] [--persist-to DIR]
 *
 * Without --remote: the local D1 of `wrangler dev` / `wrangler d1 migrations
 * apply --local` (.wrangler/state, or --persist-to). With --remote: the
 * deployed database (needs `wrangler login`; the binding is marked remote in a
 * temporary copy of wrangler.toml). Prints the API token.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getPlatformProxy } from 'wrangler';
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../src/db/schema.js';
import { seedDefaults$ } from '../src/db/seed.js';
import { asyncStore } from '../src/service/async.js';
import type { AsyncDb } from '../src/store/async.js';
import { programDb, runAsync } from '../src/store/program.js';
import { DomainError } from '../src/store/errors.js';
import type { Role } from '../src/review/transitions.js';

const ROLES: readonly Role[] = ['editor', 'reviewer', 'compliance', 'admin'];

const ROOT = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    role: { type: 'string' },
    account: { type: 'string', multiple: true },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
  strict: true,
});
if (!values.name?.trim() || !values.role || !(ROLES as readonly string[]).includes(values.role)) {
  console.error(`usage: node bin/run-ts.mjs scripts/edge-user.ts --name NAME --role ${ROLES.join('|')} [--account ACCOUNT]... [--remote] [--persist-to DIR]`);
  process.exit(2);
}

let configPath = join(ROOT, 'wrangler.toml');
let tempConfig: string | null = null;
if (values.remote) {
  tempConfig = join(ROOT, '.wrangler.remote-admin.toml');
  writeFileSync(tempConfig, readFileSync(configPath, 'utf8').replace(/binding = "DB"\n/, 'binding = "DB"\nremote = true\n'));
  configPath = tempConfig;
}

const proxy = await getPlatformProxy<{ DB: Parameters<typeof drizzle>[0] }>({
  configPath,
  remoteBindings: values.remote,
  ...(values['persist-to'] ? { persist: { path: join(resolve(values['persist-to']), 'v3') } } : {}),
});
let code = 0;
try {
  const db = drizzle(proxy.env.DB, { schema }) as unknown as AsyncDb;
  await runAsync(seedDefaults$(programDb(db)), { batch: db as never });
  const { token } = await asyncStore(db, { batch: true }).addUser({ name: values.name.trim(), role: values.role as Role, accounts: values.account ?? [] });
  process.stdout.write(`${token}\n`);
} catch (err) {
  if (!(err instanceof DomainError)) throw err;
  console.error(`${err.field ? `--${err.field}: ` : ''}${err.message}`);
  code = 1;
} finally {
  await proxy.dispose();
  if (tempConfig) rmSync(tempConfig, { force: true });
}
process.exit(code);
