/**
 * `@node-rs/jieba/dict.js` for the Worker bundle: only the dictionary lines with
 * a frequency of at least 500 (written by scripts/edge-build.mjs), which is all
 * `commonWords(500)` reads on a scan. Plain word lists (lexicons, whose policy
 * reads lower frequencies) are a Node-only feature.
 */
import text from '../../../.edge-build/jieba-common.txt';

export const dict: Uint8Array = new TextEncoder().encode(text);
