/** A queue transport moves outbox rows to a processor and results back to the store. */
export interface Transport {
  /** Dispatch due outbox rows now (called after a submit). */
  kick(): void;
  /** Resolves when nothing is pending or in flight (tests, benchmarks). */
  drain?(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  /** Whether the queue can take work now (BullMQ: Redis reachable); absent means always. */
  health?(): { queue: 'ok' | 'down'; detail?: string };
}
