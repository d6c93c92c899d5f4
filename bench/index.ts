/**
 * `npm run bench`: every benchmark, one after the other, each writing its own
 * section of BENCHMARKS.md. `npm run bench -- rules` (or scan, classifier, pipeline …) runs one.
 */
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('rules')) {
  const m = await import('./rules.js');
  await (m as unknown as { runRulesBench: () => Promise<unknown> }).runRulesBench();
}
if (want('scan')) {
  const { runScanProcessBench } = await import('./scan-process.js');
  await runScanProcessBench();
}
if (want('classifier')) {
  const m = await import('./classifier.js');
  await (m as unknown as { runClassifierBench: () => Promise<unknown> }).runClassifierBench();
}
if (want('queue-page')) {
  const { runQueuePageBench } = await import('./queue-page.js');
  await runQueuePageBench();
}
if (want('cleanup')) {
  const { runCleanupBench } = await import('./cleanup.js');
  await runCleanupBench();
}
if (want('pipeline')) {
  const { runPipelineBench } = await import('./pipeline.js');
  await runPipelineBench();
}
