/**
 * Classifier benchmark, the shipped model and 1.4.0 side by side in one run
 * (the machine is shared: only figures of one run compare, best read as
 * ratios): posts per second for 500-character posts through `loadClassifier()`
 * in one thread and through a piscina pool of 2 worker threads, single-post
 * latency (p50 / p99) and memory. Passes of the two models alternate, so a
 * burst of load from another job hits both. Writes `## Classifier` of
 * BENCHMARKS.md.
 * Run alone with `node bin/run-ts.mjs bench/classifier.ts` or via `npm run bench -- classifier`.
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { loadClassifier } from '../src/classifier/index.js';
import { BASELINE_MODEL_ID, MODEL_ID, MODELS_DIR } from '../src/classifier/model-files.js';
import { readCorpus } from '../src/classifier/corpus.js';
import type { TextClassifier } from '../src/review/types.js';
import { machineLine, percentile, writeSection } from './report.js';

const POSTS = Number(process.env.BENCH_CLASSIFIER_POSTS ?? 4000);
const BATCH = 64;
const LATENCY_SAMPLES = 1000;
const PASSES = 5;
const MODELS = [MODEL_ID, BASELINE_MODEL_ID] as const;

/** 500-character posts assembled from the corpus (all labels), deterministic. */
export function benchPosts(n: number): string[] {
  const corpus = readCorpus('test').map((e) => e.text.replace(/\s+/g, ''));
  const out: string[] = [];
  let i = 0;
  while (out.length < n) {
    let p = '';
    while (p.length < 500) p += corpus[i++ % corpus.length]!;
    out.push(p.slice(0, 500));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[(s.length - 1) >> 1]!;
}

function batches(texts: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) out.push(texts.slice(i, i + BATCH));
  return out;
}

export interface ClassifierBenchModel {
  model: string;
  singleThreadPostsPerSec: number;
  singleThreadMedian: number;
  poolPostsPerSec: number;
  poolMedian: number;
  p50Ms: number;
  p99Ms: number;
  onnxMB: number;
}

export interface ClassifierBenchResult {
  posts: number;
  loadAtStart: number;
  loadAtEnd: number;
  models: ClassifierBenchModel[];
  rssMiB: number;
}

export async function runClassifierBench(): Promise<ClassifierBenchResult> {
  const texts = benchPosts(POSTS);
  const loadAtStart = loadavg()[0]!;
  const classifiers = new Map<string, TextClassifier>();
  for (const model of MODELS) {
    const c = await loadClassifier({ model });
    await c.classify(texts.slice(0, BATCH)); // warm-up
    classifiers.set(model, c);
  }
  const single = new Map<string, number[]>(MODELS.map((m) => [m, []]));
  const latencies = new Map<string, number[]>(MODELS.map((m) => [m, []]));
  const pooled = new Map<string, number[]>(MODELS.map((m) => [m, []]));

  // Throughput: PASSES full passes per model, alternating models pass by pass.
  for (let pass = 0; pass < PASSES; pass++) {
    for (const model of MODELS) {
      const c = classifiers.get(model)!;
      const t0 = performance.now();
      for (const b of batches(texts)) await c.classify(b);
      single.get(model)!.push(texts.length / ((performance.now() - t0) / 1000));
    }
  }
  // Latency: sequential single-post calls, alternating models in blocks of 50.
  for (let i = 0; i < LATENCY_SAMPLES; i += 50) {
    for (const model of MODELS) {
      const c = classifiers.get(model)!;
      for (let k = i; k < i + 50; k++) {
        const s = performance.now();
        await c.classify([texts[k % texts.length]!]);
        latencies.get(model)!.push(performance.now() - s);
      }
    }
  }
  const mem = process.memoryUsage();

  // Pool: 2 worker threads per model, each with its own copy (onnxruntime at one intra-op thread for 2.x).
  for (const model of MODELS) {
    const pool = new Piscina({ filename: fileURLToPath(new URL('../src/classifier/pool-worker.mjs', import.meta.url)), minThreads: 2, maxThreads: 2, workerData: { model } });
    try {
      await Promise.all([pool.run(texts.slice(0, BATCH)), pool.run(texts.slice(0, BATCH))]); // load the model in both threads
      for (let pass = 0; pass < PASSES; pass++) {
        const t0 = performance.now();
        await Promise.all(batches(texts).map((b) => pool.run(b)));
        pooled.get(model)!.push(texts.length / ((performance.now() - t0) / 1000));
      }
    } finally {
      await pool.destroy();
    }
  }
  const loadAtEnd = loadavg()[0]!;

  const result: ClassifierBenchResult = {
    posts: texts.length,
    loadAtStart,
    loadAtEnd,
    rssMiB: mem.rss / 2 ** 20,
    models: MODELS.map((model) => {
      const lat = [...latencies.get(model)!].sort((a, b) => a - b);
      return {
        model,
        singleThreadPostsPerSec: Math.max(...single.get(model)!),
        singleThreadMedian: median(single.get(model)!),
        poolPostsPerSec: Math.max(...pooled.get(model)!),
        poolMedian: median(pooled.get(model)!),
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        onnxMB: statSync(`${MODELS_DIR}${model}/onnx/model.onnx`).size / 1e6,
      };
    }),
  };
  const r = (x: number) => Math.round(x).toLocaleString('en-US');
  const [a, b] = result.models as [ClassifierBenchModel, ClassifierBenchModel];
  const ratio = (x: number, y: number) => (x / y).toFixed(2);
  writeSection(
    'Classifier',
    `
\`${a.model}\` (shipped) and \`${b.model}\` (the model it replaced) in one run, through \`loadClassifier()\` (tokenisation, onnxruntime-node, the decision and, for ${a.model}, the evidence windows included), ${result.posts} posts of 500 characters built from the test corpus, batches of ${BATCH}. Passes of the two models alternate.

Machine: ${machineLine()}. Command: \`npm run bench -- classifier\` (or \`node bin/run-ts.mjs bench/classifier.ts\`). Load average (1 min): ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end, on 2 cores; this machine is shared with other jobs, so absolute figures move from run to run and the ratio column is the one to compare.

| measure | target | ${a.model} | ${b.model} | ratio |
|---|---|---|---|---|
| posts/s, one thread, best of ${PASSES} passes (median) | ≥ 2,000 | ${r(a.singleThreadPostsPerSec)} (${r(a.singleThreadMedian)}) | ${r(b.singleThreadPostsPerSec)} (${r(b.singleThreadMedian)}) | ${ratio(a.singleThreadPostsPerSec, b.singleThreadPostsPerSec)} (${ratio(a.singleThreadMedian, b.singleThreadMedian)}) |
| posts/s, piscina pool of 2 worker threads, best of ${PASSES} passes (median) | ≥ 2,000 | ${r(a.poolPostsPerSec)} (${r(a.poolMedian)}) | ${r(b.poolPostsPerSec)} (${r(b.poolMedian)}) | ${ratio(a.poolPostsPerSec, b.poolPostsPerSec)} (${ratio(a.poolMedian, b.poolMedian)}) |
| single post latency p50 | | ${a.p50Ms.toFixed(2)} ms | ${b.p50Ms.toFixed(2)} ms | |
| single post latency p99 | < 20 ms | ${a.p99Ms.toFixed(2)} ms | ${b.p99Ms.toFixed(2)} ms | |
| ONNX file | < 50 MB | ${a.onnxMB.toFixed(1)} MB | ${b.onnxMB.toFixed(1)} MB | |

One thread: the main thread; ${a.model} runs onnxruntime with one intra-op thread, ${b.model} (transformers.js) with onnxruntime's default. Pool: each worker thread loads its own copy. Latency: ${LATENCY_SAMPLES} sequential \`classify([post])\` calls per model after warm-up. Memory after loading both models and the single-thread runs: RSS ${r(result.rssMiB)} MiB.
`,
  );
  console.log(JSON.stringify(result, null, 2));
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runClassifierBench();
