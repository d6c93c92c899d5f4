/**
 * The synchronous adapter: programs on better-sqlite3, as the Node server runs
 * them. The transaction boundary is here: a write runs in one IMMEDIATE
 * transaction (all of it is written, or none), a read statement by statement
 * outside a transaction.
 */
import { runSync, type Program, type SyncTransactional } from './program.js';
import type { Runner } from './context.js';

export interface SyncRunner {
  read<T>(program: Program<T>): T;
  write<T>(program: Program<T>): T;
  /** read or write by mode, for the programs that take a Runner. */
  run: Runner;
}

export function syncRunner(db: SyncTransactional): SyncRunner {
  const read = <T>(program: Program<T>): T => runSync(db, program, { transaction: false });
  const write = <T>(program: Program<T>): T => runSync(db, program);
  return { read, write, run: (program, mode) => (mode === 'write' ? write(program) : read(program)) };
}
