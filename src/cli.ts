/**
 * The `lastgate` command. Every subcommand reads the same DATA_DIR.
 *
 *   lastgate serve                       API + reviewer UI + embedded queue (or BullMQ with REDIS_URL)
 *   lastgate worker [--concurrency N]    consume BullMQ machine-review jobs (needs REDIS_URL)
 *   lastgate user add|list|disable|enable|rotate   the user lifecycle (src/users/cli.ts)
 *   lastgate audit verify [--checkpoint FILE] [--public-key FILE]
 *   lastgate audit checkpoint [--key FILE] [--out FILE]
 *   lastgate audit keygen FILE
 *   lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]
 *   lastgate cleanup run|resume|status    re-check the published archive
 *   lastgate policies import FILE         load the policy registry (CSV or JSON)
 *   lastgate account|unit …               accounts and units of the matrix (accounts/cli.ts)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';

const USAGE = `usage:
  lastgate serve
  lastgate worker [--concurrency N]
  lastgate user add --name NAME --role editor|reviewer|compliance|admin [--account ACCOUNT]... [--expires-days N] [--token-only]
  lastgate user list [--json]
  lastgate user disable|enable NAME|#ID
  lastgate user rotate NAME|#ID [--expires-days N] [--token-only]
  lastgate audit verify [--checkpoint FILE] [--public-key FILE]
  lastgate audit checkpoint [--key FILE] [--out FILE]
  lastgate audit keygen FILE
  lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]
  lastgate cleanup run [--checks rescan,policy,deadline,links] [--as-of YYYY-MM-DD]
  lastgate cleanup resume | status
  lastgate policies import FILE.csv|FILE.json
  lastgate account list [--json] | add --name N --platform wechat|weibo|website|other --unit U [--lead]
  lastgate account rename OLD NEW | move NAME --unit U | retire NAME | reinstate NAME
  lastgate unit list [--json] | add NAME | rename OLD NEW

environment: PORT (8787), DATA_DIR (./data), REDIS_URL, LASTGATE_THREADS, LASTGATE_CLASSIFIER=off, LASTGATE_AUDIT_KEY, LASTGATE_SESSION_HOURS (8)`;

function fail(message: string): number {
  process.stderr.write(`lastgate: ${message}\n`);
  return 2;
}

async function serveCommand(): Promise<number | undefined> {
  const { startServer } = await import('./server.js');
  const running = await startServer(loadConfig());
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}

async function workerCommand(args: string[]): Promise<number | undefined> {
  const { values } = parseArgs({ args, options: { concurrency: { type: 'string' } }, strict: true });
  const config = loadConfig();
  if (!config.redisUrl) return fail('worker needs REDIS_URL (the embedded queue runs inside `lastgate serve`)');
  const concurrency = values.concurrency ? Number(values.concurrency) : 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) return fail('--concurrency must be a positive integer');
  const { startBullWorker } = await import('./queue/bullmq.js');
  const { InlineRunner } = await import('./queue/runner.js');
  const runner = new InlineRunner({ classifier: config.classifier, ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}) });
  const w = startBullWorker(config.redisUrl, runner, { concurrency });
  await w.worker.waitUntilReady();
  console.log(`lastgate worker ready (pid ${process.pid}, concurrency ${concurrency})`);
  const stop = async () => {
    await w.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}

async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify' && sub !== 'checkpoint' && sub !== 'keygen') return fail(`unknown audit command: ${sub ?? '(none)'}\n${USAGE}`);
  let values: { checkpoint?: string; 'public-key'?: string; key?: string; out?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { checkpoint: { type: 'string' }, 'public-key': { type: 'string' }, key: { type: 'string' }, out: { type: 'string' } },
      allowPositionals: sub === 'keygen',
      strict: true,
    }));
  } catch (e) {
    return fail(`audit ${sub}: ${(e as Error).message}`);
  }
  const { readFileSync, writeFileSync } = await import('node:fs');
  const read = (flag: string, file: string): string | number => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      return fail(`audit ${sub}: ${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const cp = await import('./audit/checkpoint.js');

  if (sub === 'keygen') {
    const file = positionals[0];
    if (!file || positionals.length > 1) return fail(`audit keygen: one output file\n${USAGE}`);
    const { privatePem, publicPem } = cp.generateSigningKey();
    try {
      // Never overwrite a key: checkpoints signed with it would no longer verify against a pinned public key.
      writeFileSync(file, privatePem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      return fail(`audit keygen: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stdout.write(`signing key written to ${file} (keep it outside DATA_DIR, readable only by the server's user)\npublic key (give it to whoever verifies checkpoints):\n${publicPem}`);
    return 0;
  }

  const { openDb } = await import('./db/client.js');
  const { driveSync, programDb } = await import('./store/program.js');
  const db = openDb(loadConfig().dataDir, { seed: false });
  try {
    if (sub === 'checkpoint') {
      const keyFile = values.key ?? process.env.LASTGATE_AUDIT_KEY;
      if (!keyFile) return fail('audit checkpoint: no signing key: pass --key FILE or set LASTGATE_AUDIT_KEY (create one with `lastgate audit keygen FILE`)');
      const pem = read('--key', keyFile);
      if (typeof pem === 'number') return pem;
      let key;
      try {
        key = cp.signingKey(pem);
      } catch (e) {
        return fail(`audit checkpoint: --key ${keyFile}: ${(e as Error).message}`);
      }
      const line = `${JSON.stringify(driveSync(cp.checkpoint$(programDb(db), key)))}\n`;
      if (values.out) writeFileSync(values.out, line, { flag: 'a' });
      process.stdout.write(line);
      return 0;
    }

    const { verifyAudit } = await import('./audit/log.js');
    const checkpoints = values.checkpoint === undefined ? [] : read('--checkpoint', values.checkpoint);
    if (typeof checkpoints === 'number') return checkpoints;
    const trusted = values['public-key'] === undefined ? undefined : read('--public-key', values['public-key']);
    if (typeof trusted === 'number') return trusted;
    let list: import('./audit/checkpoint.js').Checkpoint[] = [];
    try {
      if (typeof checkpoints === 'string') list = cp.parseCheckpoints(checkpoints);
    } catch (e) {
      return fail(`audit verify: --checkpoint ${values.checkpoint}: ${(e as Error).message}`);
    }
    const r = verifyAudit(db);
    if (!r.ok) {
      process.stderr.write(`audit log BROKEN at row ${r.badSeq}: ${r.reason}\n`);
      return 1;
    }
    for (const c of list) {
      const v = driveSync(cp.checkAgainst$(programDb(db), c, trusted));
      if (!v.ok) {
        process.stderr.write(`audit log does NOT extend the checkpoint: ${v.reason}\n`);
        return 1;
      }
    }
    const last = list.at(-1);
    process.stdout.write(`audit log intact: ${r.rows} rows${last ? `; extends ${list.length === 1 ? 'the checkpoint' : `all ${list.length} checkpoints`} (the last at row ${last.seq}, ${last.issuedAt})` : ''}\n`);
    return 0;
  } finally {
    db.$client.close();
  }
}

async function scanCommand(args: string[]): Promise<number> {
  const { runScan } = await import('./cli/scan.js');
  return runScan(args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

export async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve':
        return await serveCommand();
      case 'worker':
        return await workerCommand(rest);
      case 'user': {
        const { runUserCli } = await import('./users/cli.js');
        return await runUserCli(rest, { stdout: process.stdout, stderr: process.stderr });
      }
      case 'audit':
        return await auditCommand(rest);
      case 'scan':
        return await scanCommand(rest);
      case 'cleanup': {
        const { runCleanupCli } = await import('./cli/cleanup.js');
        return await runCleanupCli(rest, { stdout: process.stdout, stderr: process.stderr });
      }
      case 'policies': {
        const { runPoliciesCli } = await import('./cli/cleanup.js');
        return await runPoliciesCli(rest, { stdout: process.stdout, stderr: process.stderr });
      }
      case 'account':
      case 'unit': {
        const { runAccountCli, runUnitCli } = await import('./accounts/cli.js');
        return await (cmd === 'account' ? runAccountCli : runUnitCli)(rest, { stdout: process.stdout, stderr: process.stderr });
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return cmd === undefined ? 2 : 0;
      default:
        return fail(`unknown command: ${cmd}\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      return fail(err.message);
    }
    const { DomainError } = await import('./store/errors.js');
    if (err instanceof DomainError) return fail(`${err.field ? `${err.field}: ` : ''}${err.message}`);
    throw err;
  }
}
