#!/usr/bin/env node
/**
 * Build step of the Cloudflare Worker (wrangler.toml `[build] command`, run by
 * `wrangler deploy` and `wrangler dev`): writes the two tables the Worker's
 * adapters for the native Node modules need into `.edge-build/` (ignored by git).
 *
 * - `jieba-common.txt`: the lines of @node-rs/jieba's dict.txt with a frequency
 *   of at least 500, the only part of the dictionary the rule engine reads on
 *   a scan (`commonWords(BIGRAM_MIN_FREQUENCY)`, src/rules/engine.ts); the
 *   segmentation itself runs on jieba-wasm, whose built-in dictionary is the same.
 * - `pinyin.txt`: the toneless reading of every CJK ideograph of the BMP, as
 *   @napi-rs/pinyin gives it on Node, one `reading chars…` line per reading, so
 *   homophone variants compile to the same automaton on both runtimes
 *   (pinyin-pro reads 39 common heteronyms differently).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.edge-build');
const require = createRequire(import.meta.url);
mkdirSync(out, { recursive: true });

export const MIN_FREQUENCY = 500;
const dict = readFileSync(require.resolve('@node-rs/jieba/dict.txt'), 'utf8');
const common = dict.split('\n').filter((line) => Number(line.split(' ')[1]) >= MIN_FREQUENCY);
writeFileSync(join(out, 'jieba-common.txt'), common.join('\n') + '\n');

const { pinyin } = require('@napi-rs/pinyin');
const byReading = new Map();
const ranges = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];
for (const [lo, hi] of ranges) {
  for (let cp = lo; cp <= hi; cp++) {
    const ch = String.fromCodePoint(cp);
    const r = pinyin(ch);
    if (r.length !== 1 || !/^[a-zü]+$/.test(r[0])) continue;
    const list = byReading.get(r[0]);
    if (list) list.push(ch);
    else byReading.set(r[0], [ch]);
  }
}
writeFileSync(join(out, 'pinyin.txt'), [...byReading].map(([r, chars]) => `${r} ${chars.join('')}`).join('\n') + '\n');
console.log(`edge-build: ${common.length} common words, ${byReading.size} readings → ${out}`);
