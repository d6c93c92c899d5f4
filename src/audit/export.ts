/**
 * The server's scheduled audit checkpoints (checkpoint.ts): every interval,
 * the log's head signed with the key from LASTGATE_AUDIT_KEY and sent where
 * the database's writer cannot reach — appended to a file the administrator
 * names (another disk, a mounted share, a WORM store) and announced to every
 * account-wide webhook (`audit.checkpoint`), whose receiver keeps it.
 */
import { appendFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Db } from '../db/client.js';
import { programDb, runSync } from '../store/program.js';
import { enqueueEvent$ } from '../webhooks/delivery.js';
import { checkpoint$, type Checkpoint } from './checkpoint.js';

export interface CheckpointExportOptions {
  key: KeyObject;
  /** JSON Lines file each checkpoint is appended to (LASTGATE_AUDIT_CHECKPOINT_FILE). */
  file?: string;
  /** Time between checkpoints (LASTGATE_AUDIT_CHECKPOINT_MS, default one hour). */
  intervalMs: number;
  now?: () => Date;
  /** Called after a webhook delivery was queued (the dispatcher's kick). */
  onWebhook?: () => void;
}

export class CheckpointExporter {
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly o: CheckpointExportOptions,
  ) {}

  /** Exports a checkpoint when the last one is at least an interval old (the first at once); else null. */
  exportDue(): Checkpoint | null {
    const now = (this.o.now ?? (() => new Date()))();
    if (now.getTime() - this.lastAt < this.o.intervalMs) return null;
    const pdb = programDb(this.db);
    const cp = runSync(this.db, checkpoint$(pdb, this.o.key, now), { transaction: false });
    // The file first: should it fail (disk full), the error reaches the scheduler's log and the next tick retries.
    if (this.o.file) appendFileSync(this.o.file, `${JSON.stringify(cp)}\n`);
    runSync(this.db, enqueueEvent$(pdb, { event: 'audit.checkpoint', accountId: null, checkpoint: cp, at: now.toISOString() }));
    this.o.onWebhook?.();
    this.lastAt = now.getTime();
    return cp;
  }
}
