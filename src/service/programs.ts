/**
 * The store: every concept's programs over one database, as one flat API.
 * The concepts write their programs against a StoreContext (src/store/); this
 * module makes the context and combines the program sets. The adapters run
 * them: SqliteStore (sqlite.ts) on better-sqlite3, asyncStore (async.ts) on D1.
 */
import { combine, type ProgramApi, type StoreDb } from '../store/program.js';
import type { Runner } from '../store/context.js';
import { userPrograms, type UserOptions } from '../users/programs.js';
import { accountPrograms } from '../accounts/programs.js';
import { unitPrograms } from '../units/programs.js';
import { postPrograms } from '../posts/programs.js';
import { reviewTaskPrograms } from '../review/tasks.js';
import { queuePrograms } from '../review/queue.js';
import { machineReviewPrograms } from '../review/machine.js';
import { reasonTemplatePrograms } from '../review/reasons.js';
import { publishPrograms } from '../publish/programs.js';
import { policyPrograms } from '../policy/programs.js';
import { cleanupTaskPrograms } from '../cleanup/tasks.js';
import { settingsPrograms, type ThresholdOverrides } from '../settings/programs.js';
import { ruleStatsPrograms } from '../rules/stats.js';
import { webhookPrograms } from '../webhooks/programs.js';

export interface StoreOptions extends UserOptions {
  /** How long a claim holds a review task (review/tasks.ts DEFAULT_LEASE_MS). */
  leaseMs?: number;
  /** Clock, injectable for tests of leases. */
  now?: () => Date;
  /** Told after a transaction wrote new outbox rows, so a dispatcher can run at once. */
  onOutbox?: () => void;
  /** Told after a transaction queued webhook deliveries. */
  onWebhook?: () => void;
  /** Classifier thresholds from configuration, over the shipped defaults. */
  thresholds?: ThresholdOverrides;
}

/** Every store program, by the name the adapters give it. */
export function storePrograms(db: StoreDb, run: Runner, opts: StoreOptions = {}) {
  const ctx = { db, run, now: opts.now ?? (() => new Date()), onOutbox: opts.onOutbox ?? (() => {}), onWebhook: opts.onWebhook ?? (() => {}) };
  return combine(
    userPrograms(ctx, opts),
    accountPrograms(ctx),
    unitPrograms(ctx),
    postPrograms(ctx),
    reviewTaskPrograms(ctx, opts),
    queuePrograms(ctx),
    machineReviewPrograms(ctx),
    reasonTemplatePrograms(ctx),
    publishPrograms(ctx),
    policyPrograms(ctx),
    cleanupTaskPrograms(ctx),
    settingsPrograms(ctx, opts),
    ruleStatsPrograms(ctx),
    webhookPrograms(ctx),
  );
}

export type StorePrograms = ReturnType<typeof storePrograms>;

/** What the edges (HTTP API, reviewer UI, ticker) may call on either adapter. */
export type Store = ProgramApi<StorePrograms>;
