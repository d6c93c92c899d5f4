// Worker-thread entry of the embedded queue's pool (piscina): registers tsx so
// the TypeScript processor loads, then serves machine-review jobs.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
const { InlineRunner } = await import('../src/queue/runner.ts');
const runner = new InlineRunner(workerData ?? {});

export function run(data) {
  return runner.run(data);
}

export function runBatch(jobs) {
  return runner.runBatch(jobs);
}

export function rescan(data) {
  return runner.rescan(data);
}
