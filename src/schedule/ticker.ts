/**
 * One tick of the server's periodic work: publish scheduled posts that are due,
 * raise account-freshness alerts, start the daily cleanup scan, and export a
 * signed audit checkpoint when one is due (Node, with a signing key). It needs
 * only the store and cleanup members below, synchronous (SqliteStore,
 * CleanupService) or async (asyncStore, asyncCleanup), so a Worker's Cron
 * Trigger can run the same tick; how it is fired lives in scheduler.ts.
 */
import type { Freshness } from '../accounts/freshness.js';
import type { MaybePromise } from '../store/program.js';
import { today } from '../review/dates.js';

export interface TickStore {
  publishDue(): Promise<{ published: string[]; due: string[] }>;
  raiseFreshnessAlerts(today: string): MaybePromise<Freshness[]>;
}

export interface TickCleanup {
  runsOn(trigger: string, asOf: string): MaybePromise<number>;
  publishedCount(): MaybePromise<number>;
  startRun(input: { trigger: string; asOf: string }): MaybePromise<{ id: number }>;
}

/** Exports an audit checkpoint when one is due (src/audit/export.ts). */
export interface TickAudit {
  exportDue(): MaybePromise<{ seq: number } | null>;
}

export interface TickReport {
  at: string;
  published: string[];
  due: string[];
  alerts: number;
  cleanupRun: number | null;
  /** Row of the audit checkpoint exported on this tick. */
  checkpoint: number | null;
}

export class Ticker {
  ticks = 0;
  last: TickReport | null = null;
  private running: Promise<TickReport> | null = null;

  constructor(
    private readonly store: TickStore,
    private readonly cleanup: TickCleanup,
    private readonly now: () => Date = () => new Date(),
    private readonly audit: TickAudit | null = null,
  ) {}

  /** Runs one tick (never two at once). */
  tick(): Promise<TickReport> {
    if (!this.running) {
      this.running = this.doTick().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async doTick(): Promise<TickReport> {
    const day = today(this.now());
    const { published, due } = await this.store.publishDue();
    const alerts = (await this.store.raiseFreshnessAlerts(day)).length;
    let cleanupRun: number | null = null;
    const ranToday = await this.cleanup.runsOn('schedule', day);
    if (ranToday === 0 && (await this.cleanup.publishedCount()) > 0) {
      cleanupRun = (await this.cleanup.startRun({ trigger: 'schedule', asOf: day })).id;
    }
    const checkpoint = this.audit ? ((await this.audit.exportDue())?.seq ?? null) : null;
    this.ticks++;
    this.last = { at: this.now().toISOString(), published, due, alerts, cleanupRun, checkpoint };
    return this.last;
  }
}

