/**
 * The default rule packs, bundled into the Worker as text (wrangler.toml
 * `rules`: *.yaml as Text) and parsed by the same parser and validator as
 * loadPackDir reads them on Node. Keep the list in sync with `rules/`
 * (test/edge/packs.test.ts checks it).
 */
import { parsePacks, type LoadedPack } from '../rules/pack.js';
import confidentiality from '../../rules/confidentiality.yaml';
import legal from '../../rules/legal.yaml';
import policy from '../../rules/policy.yaml';
import political from '../../rules/political.yaml';
import politicalKnowledge from '../../rules/political-knowledge.yaml';
import text from '../../rules/text.yaml';

/** File names as in `rules/`, in name order (loadPackDir's order). */
export const BUNDLED_PACK_FILES: Record<string, string> = {
  'confidentiality.yaml': confidentiality,
  'legal.yaml': legal,
  'policy.yaml': policy,
  'political-knowledge.yaml': politicalKnowledge,
  'political.yaml': political,
  'text.yaml': text,
};

let parsed: LoadedPack[] | null = null;

/** The bundled packs, parsed once per isolate. */
export function bundledPacks(): LoadedPack[] {
  parsed ??= parsePacks(
    Object.keys(BUNDLED_PACK_FILES)
      .sort()
      .map((f) => ({ source: `rules/${f}`, text: BUNDLED_PACK_FILES[f]! })),
  );
  return parsed;
}
