/**
 * The HTTP contract of PRODUCT.md (test/http/contract.ts) against a real Node
 * server on a real SQLite file, with the embedded queue running the real
 * machine-review pipeline on worker threads. The same contract runs against
 * the Cloudflare Worker in test/edge/worker.test.ts.
 */
import { afterAll, beforeAll } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { CONTRACT_USERS, httpContract } from './contract.js';

let app: Running;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const dataDir = tempDir();
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir, threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  for (const [name, role, accounts] of CONTRACT_USERS) tokens[name] = app.store.addUser({ name, role, accounts: [...accounts] }).token;
});

afterAll(async () => {
  await app?.close();
});

httpContract('Node server', () => ({
  base,
  tokens,
  count: async (table) => app.db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number,
  classifier: { rulesOnly: false },
}));
