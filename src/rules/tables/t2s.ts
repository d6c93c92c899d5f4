/**
 * Traditional → simplified character map for the normaliser, built once per
 * thread from opencc-js's character dictionaries (TSCharacters plus the CJK
 * compatibility ideographs). Only one-to-one BMP mappings are kept so the
 * normalised text stays aligned with the original code unit for code unit;
 * phrase-level conversions (which would change lengths) are not needed for
 * matching because terms go through the same map.
 */
import TSCharacters from 'opencc-js/dict/TSCharacters';
import CJKCompatibility from 'opencc-js/dict/CJK_Compatibility_Ideographs';

function addPairs(map: Uint16Array, dict: string): void {
  for (const entry of dict.split('|')) {
    const sp = entry.indexOf(' ');
    if (sp < 0) continue;
    const from = entry.slice(0, sp);
    const rest = entry.slice(sp + 1);
    const sp2 = rest.indexOf(' ');
    const to = sp2 < 0 ? rest : rest.slice(0, sp2);
    if (from.length !== 1 || to.length !== 1) continue;
    const f = from.charCodeAt(0);
    const t = to.charCodeAt(0);
    if (f >= 0xd800 && f <= 0xdfff) continue;
    if (t >= 0xd800 && t <= 0xdfff) continue;
    map[f] = t;
  }
}

/** `T2S[c]` is the simplified form of BMP code unit `c` (or `c` itself). */
export function buildT2S(): Uint16Array {
  const map = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) map[i] = i;
  addPairs(map, CJKCompatibility);
  addPairs(map, TSCharacters);
  // Compatibility ideographs may land on a traditional form; follow one more step.
  for (let i = 0; i < 65536; i++) {
    const t = map[i]!;
    if (t !== i && map[t] !== t) map[i] = map[t]!;
  }
  return map;
}
