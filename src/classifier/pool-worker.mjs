// Worker-thread entry for a piscina pool that only classifies (used by
// bench/classifier.ts): registers tsx so the TypeScript classifier loads, then
// scores batches of texts with this thread's copy of the model.
import { register } from 'tsx/esm/api';

register();
const { loadClassifier } = await import('./index.ts');
const classifier = await loadClassifier();

export default function classify(texts) {
  return classifier.classify(texts);
}
