/**
 * transformers.js configured for closed networks: models load only from the
 * repository's `models/` directory and nothing is ever fetched or cached.
 */
import { env } from '@xenova/transformers';
import { MODELS_DIR } from './model-files.js';

export function useOfflineModels(modelsDir: string = MODELS_DIR): typeof env {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
  env.useBrowserCache = false;
  env.useFSCache = false;
  return env;
}
