/**
 * `lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]`
 *
 * Machine review from the command line: JSON Lines posts in, one JSON line per
 * post out, in input order (the contract in PRODUCT.md). Verdicts come from
 * the same `reviewPost` the server and workers run (scan-review.ts). A bad
 * input line is reported on stderr with its line number and field and
 * skipped; the others are still reviewed, and the exit code is 1 at the end.
 * Rule or option problems exit with 2 before anything is read.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { today } from '../review/dates.js';
import { loadConfig } from '../config.js';
import { loadRuleEngine, type RuleEngine } from '../rules/engine.js';
import { PackError } from '../rules/pack.js';
import { reviewChunk } from './scan-chunk.js';
import { LineWriter, readChunks } from './scan-io.js';
import { classifierFor, inlineReviewer, type ScanReviewer, type ScanSetup } from './scan-review.js';

export interface ScanIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = 'usage: lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]';

const isEpipe = (e: unknown) => (e as { code?: string }).code === 'EPIPE';

export async function runScan(argv: string[], io: ScanIO): Promise<number> {
  const err = (s: string) => io.stderr.write(`lastgate scan: ${s}\n`);
  let values: { rules?: string; lexicon?: string[]; 'no-classifier'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        rules: { type: 'string' },
        lexicon: { type: 'string', multiple: true },
        'no-classifier': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    err(`one input file at most\n${USAGE}`);
    return 2;
  }
  // Same configuration as the server and workers: LASTGATE_CLASSIFIER, LASTGATE_CLASSIFIER_THRESHOLDS.
  let setup: ScanSetup;
  try {
    const config = loadConfig();
    // Compiled rules are cached by content (LASTGATE_RULES_CACHE, default DATA_DIR/cache/rules): a second
    // scan with the same packs and lexicons loads them instead of compiling 50,000 lexicon terms again.
    const cacheDir = process.env.LASTGATE_RULES_CACHE ?? join(config.dataDir, 'cache', 'rules');
    setup = {
      rules: { ...(values.rules ? { rulesDir: values.rules } : {}), ...(values.lexicon ? { lexicons: values.lexicon } : {}), cacheDir },
      classifier: !values['no-classifier'] && config.classifier,
      ...(config.thresholds ? { thresholds: config.thresholds } : {}),
    };
  } catch (e) {
    err((e as Error).message);
    return 2;
  }

  // A bad pack exits with 2 before anything is read.
  let engine: RuleEngine;
  try {
    engine = loadRuleEngine(setup.rules);
  } catch (e) {
    if (e instanceof PackError) err(`rules: ${e.message}`);
    else if ((e as { code?: string }).code === 'ENOENT') err(`cannot read ${(e as { path?: string }).path ?? 'file'}: no such file or directory`);
    else err(`rules: ${(e as Error).message}`);
    return 2;
  }
  for (const d of engine.diagnostics) err(`${d.source}: ${d.message}`);

  const file = positionals[0];
  let input: NodeJS.ReadableStream = io.stdin;
  if (file && file !== '-') {
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
    } catch (e) {
      err(`cannot read ${file}: ${(e as Error).message}`);
      return 2;
    }
    input = stream;
  }

  let reviewer: ScanReviewer;
  try {
    reviewer = await inlineReviewer(setup, { rules: engine, classifier: await classifierFor(setup.classifier) });
  } catch (e) {
    err(`classifier: ${(e as Error).message} (use --no-classifier to scan with rules only)`);
    return 2;
  }

  io.stdout.on('error', (e) => {
    if (!isEpipe(e)) err((e as Error).message);
  });
  const writer = new LineWriter(io.stdout);
  const defaultDate = today();
  let bad = 0;
  try {
    let lineNo = 1;
    // Chunks of whole lines as the stream delivers them, each answered before the next is read:
    // a person typing posts sees each answer.
    for await (const chunk of readChunks(input)) {
      const r = await reviewChunk(chunk, lineNo, reviewer, defaultDate);
      lineNo += r.lines;
      for (const e of r.errors) err(e);
      bad += r.errors.length;
      if (r.out) await writer.push(r.out);
      await writer.flush();
    }
  } catch (e) {
    if (!isEpipe(e)) throw e; // otherwise the reader went away (e.g. `| head`)
  } finally {
    await reviewer.close();
  }
  if (bad > 0) {
    err(`${bad} input line${bad === 1 ? '' : 's'} rejected`);
    return 1;
  }
  return 0;
}
