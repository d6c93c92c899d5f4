// What a user would write with mint-filter instead of `lastgate scan`: read
// JSON Lines posts, look every word of a lexicon up in title and body, write
// one JSON line per post with the words found. Plain JavaScript, so it starts
// at once. Usage: node bench/mint-scan.mjs LEXICON FILE|- > out.jsonl
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Mint } from 'mint-filter';

const [lexicon, file] = process.argv.slice(2);
const words = readFileSync(lexicon, 'utf8').split(/\r?\n/).map((w) => w.trim()).filter(Boolean);
const mint = new Mint(words);
const out = [];
let pending = 0;
const flush = () => {
  if (out.length) process.stdout.write(out.join(''));
  out.length = 0;
  pending = 0;
};
const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const p = JSON.parse(line);
  const found = [...(p.title ? mint.filter(p.title, { replace: false }).words : []), ...mint.filter(p.body, { replace: false }).words];
  const s = `${JSON.stringify({ id: p.id, words: found })}\n`;
  out.push(s);
  pending += s.length;
  if (pending > 1 << 16) flush();
}
flush();
