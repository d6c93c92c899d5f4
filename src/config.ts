/** Runtime configuration from the environment; every command reads the same. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { internalAllowList } from './cleanup/link-guard.js';

/** `block` may only be null: a classifier signal never blocks a post on its own (a block needs a rule finding with a span). */
export const CLASSIFIER_NEVER_BLOCKS = z.null({ error: 'must be null: the classifier alone never blocks a post (a block needs a rule finding a person can see)' });

/** `{"ads":{"review":0.7},"vulgar":{"review":null}}`: per-label classifier review thresholds over the shipped defaults. */
export const ThresholdOverridesSchema = z.record(
  z.string().min(1),
  z
    .object({ review: z.number().min(0).max(1).nullable().optional(), block: CLASSIFIER_NEVER_BLOCKS.optional() })
    .strict(),
);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | null;
  /** Worker threads of the embedded queue. */
  threads: number | undefined;
  /** `false` runs machine review with rules only (LASTGATE_CLASSIFIER=off). */
  classifier: boolean;
  rulesDir: string | undefined;
  /** How often the scheduler ticks (publish due posts, freshness alerts, daily cleanup). */
  schedulerMs: number;
  /** LASTGATE_CLASSIFIER_THRESHOLDS (JSON), over the shipped defaults; compliance can change them at run time too. */
  thresholds: z.infer<typeof ThresholdOverridesSchema> | undefined;
  /**
   * LASTGATE_LINK_CHECK_ALLOW_INTERNAL: internal IPs and CIDR ranges link checks may reach (comma-separated);
   * by default they reach none (src/cleanup/link-guard.ts).
   */
  linkAllowInternal: string[];
  /** Signed audit checkpoints on a schedule (src/audit/export.ts); null without LASTGATE_AUDIT_KEY. */
  auditCheckpoints: { keyFile: string; file: string | null; intervalMs: number } | null;
  /** LASTGATE_SESSION_HOURS: how long a reviewer-workspace sign-in lasts (default 8). */
  sessionHours: number;
}

function positive(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const threads = env.LASTGATE_THREADS ? Number(env.LASTGATE_THREADS) : undefined;
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new Error(`LASTGATE_THREADS must be a positive integer, got ${env.LASTGATE_THREADS}`);
  return {
    port,
    // Loopback unless told otherwise: API tokens travel in plain HTTP; expose it behind a TLS reverse proxy.
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    redisUrl: env.REDIS_URL || null,
    threads,
    classifier: !/^(0|off|false|no)$/i.test(env.LASTGATE_CLASSIFIER ?? 'on'),
    rulesDir: env.LASTGATE_RULES_DIR || undefined,
    schedulerMs: positive(env.LASTGATE_SCHEDULER_MS, 60_000, 'LASTGATE_SCHEDULER_MS'),
    thresholds: parseThresholds(env.LASTGATE_CLASSIFIER_THRESHOLDS),
    linkAllowInternal: parseAllowInternal(env.LASTGATE_LINK_CHECK_ALLOW_INTERNAL),
    auditCheckpoints: env.LASTGATE_AUDIT_KEY
      ? {
          keyFile: resolve(env.LASTGATE_AUDIT_KEY),
          file: env.LASTGATE_AUDIT_CHECKPOINT_FILE ? resolve(env.LASTGATE_AUDIT_CHECKPOINT_FILE) : null,
          intervalMs: positive(env.LASTGATE_AUDIT_CHECKPOINT_MS, 3600_000, 'LASTGATE_AUDIT_CHECKPOINT_MS'),
        }
      : null,
    sessionHours: positive(env.LASTGATE_SESSION_HOURS, 8, 'LASTGATE_SESSION_HOURS'),
  };
}

function parseAllowInternal(v: string | undefined): string[] {
  const entries = (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  try {
    internalAllowList(entries);
  } catch (err) {
    throw new Error(`LASTGATE_LINK_CHECK_ALLOW_INTERNAL: ${(err as Error).message}`);
  }
  return entries;
}

function parseThresholds(v: string | undefined) {
  if (!v) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(v);
  } catch (err) {
    throw new Error(`LASTGATE_CLASSIFIER_THRESHOLDS is not JSON: ${(err as Error).message}`);
  }
  const r = ThresholdOverridesSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`LASTGATE_CLASSIFIER_THRESHOLDS: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}
