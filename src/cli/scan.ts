/**
 * `lastgate scan [--rules DIR] [--lexicon FILE]... [--no-classifier] [FILE|-]`
 *
 * Machine review from the command line: JSON Lines posts in, one JSON line per
 * post out (the contract in PRODUCT.md). Verdicts come from the same
 * `reviewPost` the server and workers run. A bad input line is reported on
 * stderr with its line number and field and skipped; the others are still
 * reviewed, and the exit code is 1 at the end. Rule or option problems exit
 * with 2 before anything is read.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isValidDate, today } from '../review/dates.js';
import { reviewPost } from '../review/processor.js';
import { DEFAULT_VERDICT_POLICY, withClassifierThresholds, type VerdictPolicy } from '../review/verdict.js';
import { loadConfig } from '../config.js';
import type { Hit, MachineReviewResult, ReviewInput, TextClassifier } from '../review/types.js';
import { MODEL_LABEL } from '../review/model-finding.js';
import { loadRuleEngine, type RuleEngine } from '../rules/engine.js';
import { PackError } from '../rules/pack.js';

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

/** The contract's hit shape (no extra fields). */
function outputHit(h: Hit) {
  return {
    field: h.field,
    start: h.start,
    end: h.end,
    text: h.text,
    rule: h.rule,
    category: h.category,
    gate: h.gate,
    severity: h.severity,
    action: h.action,
    ...(h.suggestion ? { suggestion: h.suggestion } : {}),
  };
}

/**
 * Output lines collected and written in chunks of about 256 KiB: one write
 * (and one wait for the stream) per line would cost more than the review.
 * Waits for 'drain' when the stream asks it to, so memory stays bounded.
 */
class LineWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}

  async push(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 18) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await new Promise<void>((resolve, reject) => {
      const more = this.out.write(chunk, (e) => (e ? reject(e) : !more ? undefined : resolve()));
      if (!more) this.out.once('drain', resolve);
    });
  }
}

/**
 * Lines of a byte stream, split by hand on large chunks (faster than
 * readline or a string decoder): a chunk is cut after its last newline, a
 * byte that is never part of a multi-byte UTF-8 character, and the complete
 * part decoded at once. A trailing \r is dropped. Yields null after each
 * chunk, so the caller can flush what it wrote: a person typing posts sees
 * each answer.
 */
async function* readLines(input: NodeJS.ReadableStream): AsyncGenerator<string | null> {
  let carry: Buffer | null = null;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (carry) buf = Buffer.concat([carry, buf]);
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? buf.subarray(last + 1) : null;
    const text = buf.toString('utf8', 0, last);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const end = nl < 0 ? text.length : nl;
      yield end > from && text.charCodeAt(end - 1) === 13 ? text.slice(from, end - 1) : text.slice(from, end);
      if (nl < 0) break;
      from = nl + 1;
    }
    yield null;
  }
  if (carry && carry.length > 0) {
    const text = carry.toString('utf8');
    yield text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}

/**
 * The contract's `classifier` ({label, score}) with the model's judgement as
 * a finding: model version, whether it raised the verdict (`action`), a
 * Chinese message, and the windows that drove it (spans of title or body).
 */
function classifierOutput(r: MachineReviewResult) {
  if (!r.classifier) return null;
  const { label, score } = r.classifier;
  const f = r.modelFinding;
  if (!f) return { label, score, model: r.modelVersion, action: 'info', message: `模型判断${MODEL_LABEL[label] ?? label}（${Math.round(score * 100)}%）` };
  return { label, score, model: f.model, category: f.category, gate: f.gate, action: f.action, message: f.message, evidence: f.evidence };
}

const isEpipe = (e: unknown) => (e as { code?: string }).code === 'EPIPE';

/** Loads the classifier unless disabled; only then is its module (and transformers.js) imported. */
async function classifierFor(enabled: boolean): Promise<TextClassifier | null> {
  if (!enabled) return null;
  const { loadClassifier } = await import('../classifier/index.js');
  return loadClassifier();
}

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

  let engine: RuleEngine;
  try {
    // Compiled rules are cached by content hash (LASTGATE_RULES_CACHE, default DATA_DIR/cache/rules): a second
    // scan with the same packs and lexicons loads them instead of compiling 50,000 lexicon terms again.
    const cacheDir = process.env.LASTGATE_RULES_CACHE ?? join(process.env.DATA_DIR ?? './data', 'cache', 'rules');
    engine = loadRuleEngine({
      ...(values.rules ? { rulesDir: values.rules } : {}),
      ...(values.lexicon ? { lexicons: values.lexicon } : {}),
      cacheDir,
    });
  } catch (e) {
    if (e instanceof PackError) err(`rules: ${e.message}`);
    else if ((e as { code?: string }).code === 'ENOENT') err(`cannot read ${(e as { path?: string }).path ?? 'file'}: no such file or directory`);
    else err(`rules: ${(e as Error).message}`);
    return 2;
  }
  for (const d of engine.diagnostics) err(`${d.source}: ${d.message}`);

  // Same configuration as the server and workers: LASTGATE_CLASSIFIER, LASTGATE_CLASSIFIER_THRESHOLDS.
  let policy: VerdictPolicy = DEFAULT_VERDICT_POLICY;
  let envClassifier = true;
  try {
    const config = loadConfig();
    envClassifier = config.classifier;
    if (config.thresholds) policy = withClassifierThresholds(config.thresholds);
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  let classifier: TextClassifier | null;
  try {
    classifier = await classifierFor(!values['no-classifier'] && envClassifier);
  } catch (e) {
    err(`classifier: ${(e as Error).message} (use --no-classifier to scan with rules only)`);
    return 2;
  }

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

  io.stdout.on('error', (e) => {
    if (!isEpipe(e)) err((e as Error).message);
  });
  const writer = new LineWriter(io.stdout);
  const defaultDate = today();
  let lineNo = 0;
  let bad = 0;
  for await (const raw of readLines(input)) {
    if (raw === null) {
      try {
        await writer.flush();
      } catch (e) {
        if (isEpipe(e)) return bad > 0 ? 1 : 0;
        throw e;
      }
      continue;
    }
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      err(`line ${lineNo}: invalid JSON: ${(e as Error).message}`);
      bad++;
      continue;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      err(`line ${lineNo}: expected a JSON object`);
      bad++;
      continue;
    }
    const parsed = PostSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(post)';
      err(`line ${lineNo}: field "${field}": ${issue.message}`);
      bad++;
      continue;
    }
    const p = parsed.data;
    const post: ReviewInput = {
      id: p.id,
      body: p.body,
      date: p.date ?? defaultDate,
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(p.platform !== undefined ? { platform: p.platform } : {}),
      ...(p.account !== undefined ? { account: p.account } : {}),
    };
    const r = await reviewPost(post, { rules: engine, classifier, policy });
    const out = {
      id: (json as { id: unknown }).id,
      verdict: r.verdict,
      categories: r.categories,
      hits: r.hits.map(outputHit),
      classifier: classifierOutput(r),
    };
    try {
      await writer.push(`${JSON.stringify(out)}\n`);
    } catch (e) {
      if (isEpipe(e)) return bad > 0 ? 1 : 0; // reader went away (e.g. `| head`)
      throw e;
    }
  }
  try {
    await writer.flush();
  } catch (e) {
    if (!isEpipe(e)) throw e;
  }
  if (bad > 0) {
    err(`${bad} input line${bad === 1 ? '' : 's'} rejected`);
    return 1;
  }
  return 0;
}
