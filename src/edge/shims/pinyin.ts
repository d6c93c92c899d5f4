/**
 * `@napi-rs/pinyin` for the Worker bundle (wrangler.toml `[alias]`): the
 * toneless reading of a character, from the table @napi-rs/pinyin itself
 * produced at build time (scripts/edge-build.mjs) for every BMP ideograph, so
 * homophone variants compile exactly as on Node; pinyin-pro answers for
 * anything outside the table. Only the call phonetic.ts makes is supported:
 * `pinyin(oneCharacter)` with the default (toneless) style.
 */
import { pinyin as pinyinPro } from 'pinyin-pro';
import table from '../../../.edge-build/pinyin.txt';

let readings: Map<string, string> | null = null;

function tableReading(ch: string): string | undefined {
  if (!readings) {
    readings = new Map();
    for (const line of table.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const r = line.slice(0, sp);
      for (const c of line.slice(sp + 1)) readings.set(c, r);
    }
  }
  return readings.get(ch);
}

export function pinyin(input: string): string[] {
  return Array.from(input, (ch) => tableReading(ch) ?? (pinyinPro(ch, { toneType: 'none', type: 'array', v: false })[0] ?? ch));
}
