/**
 * Rule engine benchmark: `node bin/run-ts.mjs bench/rules.ts` (or `npm run bench -- rules`).
 *
 * On a ≥ 20M-character deterministic corpus (bench/corpus.ts) with the 51k
 * public lexicon plus the default packs and full normalisation, measures in
 * one run: lastgate's throughput (full scans, findings verified), mint-filter's
 * and modern-ahocorasick's (the same 51k words, no normalisation), build time
 * for the 51k terms, load time from the on-disk cache, and the memory of the
 * compiled lexicon. Writes the `## Rule engine` section of BENCHMARKS.md.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import AhoCorasick from 'modern-ahocorasick';
import { Mint } from 'mint-filter';
import { buildAutomaton, automatonBytes, emptyMatches } from '../src/rules/automaton.js';
import { loadCompiled, saveCompiled } from '../src/rules/cache.js';
import { compileRules } from '../src/rules/compile.js';
import { dictionarySegmenter } from '../src/rules/dictionary-segmenter.js';
import { defaultRulesDir, RuleEngine } from '../src/rules/engine.js';
import { loadLexicon, triageTerm } from '../src/rules/lexicon.js';
import { charTable, normalize, emptyNormalized, termKey } from '../src/rules/normalize.js';
import { loadPackDir } from '../src/rules/pack.js';
import { buildCorpus } from './corpus.js';
import { machineLine, writeSection } from './report.js';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const LEXICON = resolve(REPO, '../shared/bench/lexicon-51k.txt');
const SEEDS = resolve(REPO, '../shared/seeds');
const CORPUS_CHARS = 20_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Best of `runs` passes, by process CPU time (the machine may be shared; wall time is reported too). */
function best<T>(runs: number, fn: () => T): { ms: number; wallMs: number; value: T } {
  let ms = Infinity;
  let wallMs = Infinity;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    value = fn();
    wallMs = Math.min(wallMs, performance.now() - t0);
    const cu = process.cpuUsage(c0);
    ms = Math.min(ms, (cu.user + cu.system) / 1000);
  }
  return { ms, wallMs, value };
}

/**
 * Total CPU time of `fn` over the posts, taking for each slice of 500 posts
 * the fastest of `runs` runs: on a shared machine, interference from other
 * processes only ever adds time, so the minimum per short slice is the
 * closest estimate of the code's own speed. Applied to every matcher alike.
 */
function sliceMinimum<T>(posts: string[], runs: number, fn: (slice: string[]) => T): { ms: number; value: T[] } {
  let ms = 0;
  const value: T[] = [];
  for (let i = 0; i < posts.length; i += 500) {
    const slice = posts.slice(i, i + 500);
    let min = Infinity;
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const v = fn(slice);
      const cu = process.cpuUsage(c0);
      min = Math.min(min, (cu.user + cu.system) / 1000);
      if (r === 0) value.push(v);
    }
    ms += min;
  }
  return { ms, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const mcs = (chars: number, ms: number) => chars / ms / 1000;
const fmt = (n: number, d = 1) => n.toFixed(d);

export async function runRulesBench(): Promise<Record<string, number>> {
  const packs = loadPackDir(defaultRulesDir());
  const lexicon = loadLexicon(LEXICON);
  const words = lexicon.terms.map((t) => t.text);

  // Build time: full compile (triage, variants, automaton) and the automaton alone, median of 5.
  triageTerm('预热'); // loads the dictionary's word frequencies once, as any engine start-up would
  const compileTimes: number[] = [];
  const automatonTimes: number[] = [];
  const keys = words.map((w) => termKey(w).keyText).filter((k) => k.length > 0);
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now();
    compileRules(packs, { lexicons: [lexicon] });
    compileTimes.push(performance.now() - t0);
    t0 = performance.now();
    buildAutomaton(keys);
    automatonTimes.push(performance.now() - t0);
  }

  // Memory of the compiled lexicon: typed arrays plus the JS heap it keeps alive.
  const settle = () => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage();
  };
  const before = settle();
  let compiled: ReturnType<typeof compileRules> | null = compileRules(packs, { lexicons: [lexicon] });
  const after = settle();
  const heapBytes = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  const arrayBytes = automatonBytes(compiled.text.automaton);

  // Start-up from the on-disk cache.
  const cacheDir = mkdtempSync(join(tmpdir(), 'lastgate-rules-bench-'));
  saveCompiled(cacheDir, compiled);
  const cacheLoad = median(
    Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      const c = loadCompiled(cacheDir, compiled!.version);
      if (!c) throw new Error('cache miss');
      new RuleEngine(c);
      return performance.now() - t0;
    }),
  );
  const version = compiled.version;
  compiled = null;

  const injected = [
    ...packs.flatMap((p) => p.pack.rules.flatMap((r) => (r.terms ?? []).map((t) => (typeof t === 'string' ? t : t.text)))),
    ...words.filter((_, i) => i % 97 === 0),
  ];
  const posts = buildCorpus({ seedsDir: SEEDS, terms: injected, chars: CORPUS_CHARS });
  const chars = posts.reduce((n, p) => n + p.length, 0);

  // Each matcher is built, warmed up (JIT, lazy segmenter) on a slice, measured (best of 3 full passes each) and
  // dropped in turn, so none runs with another's structures on its heap: a larger heap slows every collection.
  const m = (() => {
    let t0 = performance.now();
    const mint = new Mint(words);
    const build = performance.now() - t0;
    for (const p of posts.slice(0, 200)) mint.filter(p, { replace: false });
    const all = (list: string[]) => {
      let n = 0;
      for (const p of list) n += mint.filter(p, { replace: false }).words.length;
      return n;
    };
    return { build, run: best(3, () => all(posts)), slices: sliceMinimum(posts, 5, all) };
  })();
  settle();

  // The engine as `lastgate scan` loads it (loadRuleEngine with a cache directory): compiled rules and jieba's
  // dictionary read from the cache, segmentation in JavaScript.
  const o = (() => {
    const engine = new RuleEngine(loadCompiled(cacheDir, version)!, dictionarySegmenter(cacheDir).tokenEdges);
    for (const p of posts.slice(0, 200)) engine.scan({ id: 'w', body: p, date: '2026-06-01' });
    const scanAll = (list: string[]) => {
      let hits = 0;
      for (let i = 0; i < list.length; i++) hits += engine.scan({ id: 'b', body: list[i]!, date: '2026-06-01' }).length;
      return hits;
    };
    const ours = best(3, () => scanAll(posts));
    const slices = sliceMinimum(posts, 5, scanAll);
    const buf = emptyNormalized(4096);
    const normOnly = best(3, () => {
      let n = 0;
      for (const p of posts) n += normalize(p, buf).length;
      return n;
    });
    const matches = emptyMatches();
    const walkTable = charTable(null, engine.compiled.text.automaton);
    const normScan = best(3, () => {
      let n = 0;
      for (const p of posts) {
        normalize(p, buf, walkTable, matches);
        n += matches.count;
      }
      return n;
    });
    return { ours, slices, normOnly, normScan };
  })();
  settle();

  // The engine as the server compiles it: in process, with the native jieba segmenter.
  const native = (() => {
    const engine = new RuleEngine(compileRules(packs, { lexicons: [lexicon] }));
    for (const p of posts.slice(0, 200)) engine.scan({ id: 'w', body: p, date: '2026-06-01' });
    return best(3, () => {
      let hits = 0;
      for (const p of posts) hits += engine.scan({ id: 'b', body: p, date: '2026-06-01' }).length;
      return hits;
    });
  })();
  rmSync(cacheDir, { recursive: true, force: true });
  settle();

  const { ours, slices: oursSlices, normOnly, normScan } = o;
  const { build: mintBuild, run: mintRun, slices: mintSlices } = m;
  const t0 = performance.now();
  const mac = new AhoCorasick(words);
  const macBuild = performance.now() - t0;
  for (const p of posts.slice(0, 50)) mac.search(p);
  // One pass: at well under 1M chars/s a pass takes tens of seconds and the ratio is not in doubt.
  const macRun = best(1, () => {
    let n = 0;
    for (const p of posts) n += mac.search(p).length;
    return n;
  });

  const r = {
    corpusChars: chars,
    posts: posts.length,
    oursMcs: mcs(chars, ours.ms),
    oursSliceMcs: mcs(chars, oursSlices.ms),
    mintSliceMcs: mcs(chars, mintSlices.ms),
    oursWallMcs: mcs(chars, ours.wallMs),
    oursHits: ours.value,
    nativeMcs: mcs(chars, native.ms),
    nativeHits: native.value,
    normMcs: mcs(chars, normOnly.ms),
    normScanMcs: mcs(chars, normScan.ms),
    mintMcs: mcs(chars, mintRun.ms),
    mintHits: mintRun.value,
    macMcs: mcs(chars, macRun.ms),
    macHits: macRun.value,
    compileMs: median(compileTimes),
    compileMinMs: Math.min(...compileTimes),
    automatonMs: median(automatonTimes),
    cacheLoadMs: cacheLoad,
    mintBuildMs: mintBuild,
    macBuildMs: macBuild,
    arrayMB: arrayBytes / 2 ** 20,
    heapMB: heapBytes / 2 ** 20,
  };

  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = execSync("grep -m1 'model name' /proc/cpuinfo", { encoding: 'utf8' }).split(':')[1]!.trim();
  } catch {
    /* not Linux */
  }
  const table = `| matcher | normalisation | throughput (M chars/s, 1 core) | vs mint-filter | matches reported | build 51k terms |
|---|---|---|---|---|---|
| **lastgate** (\`RuleEngine.scan\`, default packs + 51k lexicon, as \`lastgate scan\` loads it: rules and jieba's dictionary from the cache) | full: fold, case, t2s, digits, interference, repeats, homophones; findings verified (boundaries, segmentation, exceptions) | **${fmt(r.oursMcs)}** | **${fmt(r.oursMcs / r.mintMcs)}×** | ${r.oursHits} findings | ${fmt(r.compileMs, 0)} ms (automaton alone ${fmt(r.automatonMs, 0)} ms) |
| lastgate as the server compiles it (native jieba segmenter) | full, the same | ${fmt(r.nativeMcs)} | ${fmt(r.nativeMcs / r.mintMcs)}× | ${r.nativeHits} findings | — |
| lastgate normaliser with the automaton walk only | full | ${fmt(r.normScanMcs)} | ${fmt(r.normScanMcs / r.mintMcs)}× | ${normScan.value} raw key matches | — |
| lastgate normaliser only | full | ${fmt(r.normMcs)} | — | — | — |
| mint-filter 4.0.3 (\`filter(text, {replace:false})\`) | none | ${fmt(r.mintMcs)} | 1× | ${r.mintHits} words | ${fmt(r.mintBuildMs, 0)} ms |
| modern-ahocorasick 3.3.0 (\`search(text)\`, one pass) | none | ${fmt(r.macMcs)} | ${fmt(r.macMcs / r.mintMcs)}× | ${r.macHits} matches | ${fmt(r.macBuildMs, 0)} ms |`;

  writeSection(
    'Rule engine',
    `Command: \`node bin/run-ts.mjs bench/rules.ts\` (also part of \`npm run bench\`).
Machine: \`nproc\` = ${cpus().length}, ${cpu}; ${machineLine()}.
Measured ${new Date().toISOString().slice(0, 10)} (load average ${loadavg()[0]!.toFixed(1)} at the start: the machine was shared with other jobs). Throughputs are the best of 3 full passes by process CPU time; for lastgate and mint-filter also the sum over 500-post slices of the fastest of 5 runs per slice (interference from other processes only adds time, so this is the steadier figure on a shared machine, though it also leaves out most garbage collection, which the full passes count). Each matcher is built, measured and dropped in turn (mint-filter first), so none runs with another's structures on its heap. Build times are the median of 5.

Corpus: ${fmt(r.corpusChars / 1e6, 1)}M characters in ${r.posts} posts of ~2,000 characters, generated deterministically
(\`bench/corpus.ts\`) from the sentences of the two seed documents with terms from the default packs and every
97th lexicon word injected into 2% of sentences, a third of them written with evasions (interference characters,
traditional or full-width characters, repeats). Terms: the 51,337-line public lexicon
(\`../shared/bench/lexicon-51k.txt\`) for every matcher; lastgate also runs its default packs.

${table}

Targets on this run: ≥ 30M chars/s ${r.oursMcs >= 30 ? 'met' : '**not met**'} (${fmt(r.oursMcs)}M best full pass, ${fmt(r.oursSliceMcs)}M by slice minimum); ≥ 5× mint-filter ${r.oursMcs / r.mintMcs >= 5 ? 'met' : '**not met**'};
build < 300 ms ${r.compileMs < 300 ? 'met' : r.compileMinMs < 300 ? '**met only by the fastest of 5 runs**' : '**not met**'}; compiled lexicon < 100 MB ${r.heapMB < 100 ? 'met' : '**not met**'}.

- Throughput: lastgate **${fmt(r.oursMcs)}M chars/s** on one core by CPU time, best full pass (${fmt(r.oursWallMcs)}M by wall clock on the shared
  machine; ${fmt(r.oursSliceMcs)}M by slice minimum, where mint-filter makes ${fmt(r.mintSliceMcs)}M, ${fmt(r.oursSliceMcs / r.mintSliceMcs)}×; target ≥ 30M), **${fmt(r.oursMcs / r.mintMcs)}× mint-filter**
  (target ≥ 5×), ${fmt(r.oursMcs / r.macMcs)}× modern-ahocorasick, with normalisation that the other two do not do at all.
- Build for the 51k lexicon + default packs: **${fmt(r.compileMs, 0)} ms** median of 5, fastest ${fmt(r.compileMinMs, 0)} ms
  (target < 300 ms), including
  lexicon triage, term variants and the double-array automaton (${fmt(r.automatonMs, 0)} ms of it); loading the same
  compiled rules from the on-disk cache (\`cacheDir\`) takes **${fmt(r.cacheLoadMs, 0)} ms**. The dictionary word
  frequencies used by the triage load once per process (~50 ms, not included).
- Memory of the compiled lexicon: **${fmt(r.arrayMB, 1)} MB** of typed arrays (automaton), **${fmt(r.heapMB, 1)} MB** in
  total including the JS objects of the term table (target < 100 MB).
- Findings differ by design: mint-filter and modern-ahocorasick report every substring occurrence of every lexicon
  word (政策, 信息, 法 …); lastgate leaves general-vocabulary, single-character and fragment entries out of plain
  lexicons (reported at load), checks word boundaries and exceptions, and catches the evasive spellings the others miss.`,
  );
  console.log(JSON.stringify(r, null, 2));
  return r;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runRulesBench();
}
