// Worker-thread entry for a piscina pool that only classifies (used by
// bench/classifier.ts): registers tsx so the TypeScript classifier loads, then
// scores batches of texts with this thread's copy of the model (the shipped
// one, or `workerData.model`).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { loadClassifier } = await import('./index.ts');
const classifier = await loadClassifier(workerData?.model ? { model: workerData.model } : {});

export default function classify(texts) {
  return classifier.classify(texts);
}
