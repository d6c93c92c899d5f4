/**
 * `lastgate cleanup run|resume|status` and `lastgate policies import FILE`:
 * cleanup scans from the command line, on the same DATA_DIR as the server,
 * with a progress bar on stderr. A run interrupted (Ctrl-C, crash) is
 * continued by `lastgate cleanup resume` (or by the server) from its last
 * finished batch.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { LinkChecker } from '../cleanup/links.js';
import { CleanupService } from '../cleanup/service.js';
import type { RunView } from '../cleanup/runs.js';
import { CHECKS, type Check } from '../cleanup/checks.js';
import { PoolRunner } from '../queue/runner.js';
import { SqliteStore } from '../service/sqlite.js';
import { parsePolicyFile } from '../policy/registry.js';
import { today, isValidDate } from '../review/dates.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

function bar(run: RunView): string {
  const width = 30;
  const filled = Math.round((run.percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(run.percent).padStart(3)}% ${run.doneBatches}/${run.totalBatches} batches · ${run.totalPosts} posts · opened ${run.opened} · closed ${run.closed}`;
}

export async function runCleanupCli(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { checks: { type: 'string' }, 'as-of': { type: 'string' } }, strict: true });
  const checks = values.checks ? (values.checks.split(',').map((c) => c.trim()) as Check[]) : undefined;
  for (const c of checks ?? []) if (!(CHECKS as readonly string[]).includes(c)) return fail(io, `--checks: unknown check ${c} (one of ${CHECKS.join(', ')})`);
  const asOf = values['as-of'] ?? today();
  if (!isValidDate(asOf)) return fail(io, `--as-of must be a calendar day YYYY-MM-DD, got ${asOf}`);
  const config = loadConfig();
  const db = openDb(config.dataDir);
  try {
    let last = -1;
    const progress = (run: RunView) => {
      if (io.stderr.isTTY) io.stderr.write(`\r${bar(run)}`);
      else if (Math.floor(run.percent / 10) !== last) {
        last = Math.floor(run.percent / 10);
        io.stderr.write(`${bar(run)}\n`);
      }
    };
    const cleanup = new CleanupService(db, { onProgress: progress, linkChecker: new LinkChecker({ allowInternal: config.linkAllowInternal }) });
    if (sub === 'status') {
      for (const r of cleanup.runs(10)) io.stdout.write(`run ${r.id} (${r.trigger}, ${r.checks.join('+')}, as of ${r.asOf}) ${r.state} ${bar(r)}\n`);
      return 0;
    }
    if (sub !== 'run' && sub !== 'resume') return fail(io, 'usage: lastgate cleanup run [--checks rescan,policy,deadline,links] [--as-of YYYY-MM-DD] | resume | status');
    const needsRescan = sub === 'resume' || !checks || checks.includes('rescan');
    const runner = needsRescan ? new PoolRunner({ classifier: false, ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}), ...(config.threads ? { threads: config.threads } : {}) }) : null;
    if (runner) {
      cleanup.setDispatcher({
        dispatch: async (job) => {
          const r = await runner.rescan(job);
          await cleanup.applyBatch(r.runId, r.seq, r);
        },
      });
    }
    try {
      let ids: number[];
      if (sub === 'run') {
        const run = cleanup.startRun({ trigger: 'cli', ...(checks ? { checks } : {}), asOf });
        progress(run);
        ids = [run.id];
      } else {
        ids = cleanup.runs(100).filter((r) => r.state === 'running').map((r) => r.id);
        if (ids.length === 0) {
          io.stdout.write('no interrupted cleanup run\n');
          return 0;
        }
        void cleanup.pump();
      }
      await cleanup.waitIdle(24 * 3600 * 1000);
      if (io.stderr.isTTY) io.stderr.write('\n');
      for (const id of ids) {
        const r = cleanup.run(id);
        io.stdout.write(`${JSON.stringify(r)}\n`);
      }
      return 0;
    } finally {
      await runner?.close();
    }
  } finally {
    db.$client.close();
  }
}

export async function runPoliciesCli(args: string[], io: Io): Promise<number> {
  const [sub, file] = args;
  if (sub !== 'import' || !file) return fail(io, 'usage: lastgate policies import FILE.csv|FILE.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(io, `cannot read ${file}: ${(err as Error).message}`);
  }
  const { rows, errors } = parsePolicyFile(text, file);
  if (errors.length) {
    for (const e of errors) io.stderr.write(`${e}\n`);
    return fail(io, `${errors.length} invalid row(s); nothing imported`);
  }
  const db = openDb(loadConfig().dataDir);
  try {
    const store = new SqliteStore(db);
    const system = { id: 0, name: 'cli', role: 'admin' as const, accountIds: [] };
    const r = await store.importPolicies(system, rows);
    io.stdout.write(`imported ${rows.length} policies: ${r.created} new, ${r.updated} updated; run \`lastgate cleanup run --checks policy\` to flag the posts that cite changed ones\n`);
    return 0;
  } finally {
    db.$client.close();
  }
}

function fail(io: Io, message: string): number {
  io.stderr.write(`lastgate: ${message}\n`);
  return 2;
}
