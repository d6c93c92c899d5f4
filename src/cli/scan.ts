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
import { z } from 'zod';
import { isValidDate, today } from '../review/dates.js';
import { loadConfig } from '../config.js';
import { loadRuleEngine, type RuleEngine } from '../rules/engine.js';
import { PackError } from '../rules/pack.js';
import { LineWriter, readLines } from './scan-io.js';
import { classifierFor, inlineReviewer, type ScanPost, type ScanReviewer, type ScanSetup } from './scan-review.js';

export interface ScanIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = 'usage: lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]';

const PostSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    title: z.string().optional(),
    body: z.string(),
    platform: z.string().optional(),
    account: z.string().optional(),
    date: z
      .string()
      .refine(isValidDate, 'must be a calendar day YYYY-MM-DD')
      .optional(),
  })
  .passthrough();

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
  let lineNo = 0;
  let bad = 0;
  try {
    for await (const raw of readLines(input)) {
      // End of a chunk: write what was read so far (a person typing sees each answer).
      if (raw === null) {
        await writer.flush();
        continue;
      }
      lineNo++;
      const post = parseLine(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo, defaultDate, err);
      if (post === null) continue;
      if (post === 'bad') {
        bad++;
        continue;
      }
      for (const line of await reviewer.review([post])) await writer.push(line);
    }
    await writer.flush();
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

/** One input line as a post; null for a blank line; 'bad' (reported with its line number and field) for a bad one. */
function parseLine(line: string, lineNo: number, defaultDate: string, err: (s: string) => void): ScanPost | null | 'bad' {
  if (line.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    err(`line ${lineNo}: invalid JSON: ${(e as Error).message}`);
    return 'bad';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    err(`line ${lineNo}: expected a JSON object`);
    return 'bad';
  }
  const parsed = PostSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    err(`line ${lineNo}: field "${issue.path.join('.') || '(post)'}": ${issue.message}`);
    return 'bad';
  }
  const p = parsed.data;
  return {
    rawId: (json as { id: unknown }).id,
    post: {
      id: p.id,
      body: p.body,
      date: p.date ?? defaultDate,
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(p.platform !== undefined ? { platform: p.platform } : {}),
      ...(p.account !== undefined ? { account: p.account } : {}),
    },
  };
}
