/**
 * What the programs of every concept are built on. One context per store
 * (src/service/programs.ts makes it): the database the programs build their
 * queries on, the clock, the runner for the few operations that are not one
 * program, and the hooks a committed write calls so a dispatcher runs at once
 * rather than at its next poll.
 */
import type { Program, StoreDb } from './program.js';

/**
 * How an operation that is not one program (publishing waits for the
 * account's publisher between a read and a write) runs its programs: 'read'
 * outside a transaction, 'write' as one transaction where the driver has them.
 */
export type Runner = <T>(program: Program<T>, mode: 'read' | 'write') => T | Promise<T>;

export interface StoreContext {
  readonly db: StoreDb;
  /** Clock, injectable for tests of leases and schedules. */
  readonly now: () => Date;
  readonly run: Runner;
  /** Called (after commit) by a program that wrote outbox rows. */
  readonly onOutbox: () => void;
  /** Called (after commit) by a program that queued webhook deliveries. */
  readonly onWebhook: () => void;
}
