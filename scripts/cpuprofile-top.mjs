#!/usr/bin/env node
// `node scripts/cpuprofile-top.mjs FILE.cpuprofile [N] [NAME...]`: self time of
// a V8 CPU profile (node --cpu-prof) summed by function and by file, top N of
// each; with NAMEs, also the inclusive time (self and callees) of the
// functions so named, each sample counted once per name.
import { readFileSync } from 'node:fs';

const [file, n = '30', ...names] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpuprofile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const self = new Map();
// timeDeltas[i] is the time before sample i; attribute it to that sample's node.
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^\/work\/[^/]+\//, '');
const fn = new Map();
const byFile = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const f = short(url) || `(${functionName})`;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const top = (m) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} % ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nby function (self):\n${top(fn)}\n\nby file (self):\n${top(byFile)}`);
if (names.length > 0) {
  const incl = new Map(names.map((name) => [name, 0]));
  for (const [id, us] of self) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at).callFrame.functionName;
      if (incl.has(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, incl.get(name) + us);
      }
    }
  }
  console.log(`\ninclusive:\n${top(incl)}`);
}
