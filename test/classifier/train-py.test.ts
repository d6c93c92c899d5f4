import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ngramRows } from '../../src/classifier/window-features.js';
import { loadWindowModel } from '../../src/classifier/window-model.js';
import { CharTokenizer } from '../../src/classifier/char-tokenizer.js';
import { LABELS, MODEL_ID, MODELS_DIR, type WindowModelCard } from '../../src/classifier/model-files.js';
import { readCorpus } from '../../src/classifier/corpus.js';
import { tokenSpan } from '../../src/classifier/training-data.js';

const scripts = fileURLToPath(new URL('../../scripts/classifier/', import.meta.url));

/** The Python the training uses (one that imports torch and onnx), or null on a machine without it. */
function torchPython(): string | null {
  for (const c of [process.env.LASTGATE_PYTHON, '/usr/bin/python3.11', 'python3.11', 'python3'].filter(Boolean) as string[]) {
    if (spawnSync(c, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}
const python = torchPython();
const tmp = mkdtempSync(join(tmpdir(), 'lastgate-trainpy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(python)('scripts/classifier/train.py', () => {
  it('hashes n-grams exactly as the served code does', () => {
    const cases = [[5, 9, 2, 7, 7, 1], [0], [], [3852, 3851, 3850, 1, 2], Array.from({ length: 300 }, (_, i) => (i * 7919) % 3853)];
    for (const [vocab, buckets] of [[3853, 2 ** 18], [11, 128], [65_535, 2 ** 20]] as const) {
      const inputs = cases.map((c) => c.map((x) => x % vocab));
      const py = JSON.parse(
        execFileSync(python!, ['-c', `import sys, json, numpy as np; sys.path.insert(0, ${JSON.stringify(scripts)}); import train; print(json.dumps([train.ngram_rows(np.asarray(c, dtype=np.int64), ${vocab}, ${buckets}).reshape(-1).tolist() for c in json.loads(sys.argv[1])]))`, JSON.stringify(inputs)], { encoding: 'utf8' }),
      ) as number[][];
      inputs.forEach((c, i) => expect(py[i]).toEqual(Array.from(ngramRows(Int32Array.from(c), vocab, buckets))));
    }
  });

  it('trains on a small dataset and exports a graph that the served code runs with the trainer’s window logits', async () => {
    // A tiny dataset in the format of scripts/classifier/dataset.ts, with the shipped vocabulary.
    const data = join(tmp, 'data');
    const out = join(tmp, 'out');
    mkdirSync(data, { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(`${MODELS_DIR}${MODEL_ID}/${f}`, join(data, f));
    const tokenizer = CharTokenizer.fromFile(join(data, 'tokenizer.json'));
    const posts = [...readCorpus('train').slice(0, 160), ...readCorpus('dev').slice(0, 40)];
    const rows = posts.map((e) => {
      const enc = tokenizer.encode(e.text);
      return JSON.stringify({ id: e.id, set: 'synthetic', part: e.split, label: LABELS.indexOf(e.label as (typeof LABELS)[number]), ids: Array.from(enc.ids), ...(e.evidence ? { spans: e.evidence.map((s) => tokenSpan(enc, s)) } : {}) });
    });
    // One long text (several segments when served with a small maxPositions).
    rows.push(JSON.stringify({ id: 'long', set: 'synthetic', part: 'dev', label: 0, ids: Array.from(tokenizer.encode(posts.map((e) => e.text).join('')).ids) }));
    writeFileSync(join(data, 'dataset.jsonl'), rows.join('\n') + '\n');
    execFileSync(python!, [join(scripts, 'train.py'), data, out, '--epochs', '1', '--buckets', '1024', '--dim', '8', '--hidden', '8', '--threads', '1', '--arch', 'ft', '--fp16-embeddings'], { stdio: 'pipe' });
    const meta = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { vocabulary: number; radius: number };
    const model = join(tmp, 'model');
    mkdirSync(join(model, 'onnx'), { recursive: true });
    copyFileSync(join(out, 'model.onnx'), join(model, 'onnx', 'model.onnx'));
    copyFileSync(join(data, 'tokenizer.json'), join(model, 'tokenizer.json'));
    const card = { name: 't', version: '0', format: 'window-logits', labels: LABELS, vocabSize: meta.vocabulary, buckets: 1024, window: 24, stride: 4, radius: meta.radius, temperature: 1, cleanMargin: 0 } as unknown as WindowModelCard;
    const probe = JSON.parse(readFileSync(join(out, 'probe.json'), 'utf8')) as Array<{ id: string; windowLogits: number[][] }>;
    expect(probe.length).toBeGreaterThan(10);
    const texts = new Map([...posts.map((e) => [e.id, e.text] as const), ['long', posts.map((e) => e.text).join('')]]);
    for (const maxPositions of [4096, 64]) {
      const served = await loadWindowModel(model, 't', card, { maxPositions });
      const scores = await served.windowScores(probe.map((p) => texts.get(p.id)!));
      probe.forEach((p, i) => {
        expect(scores[i]!.logits.length).toBe(p.windowLogits.length * LABELS.length);
        p.windowLogits.flat().forEach((v, k) => expect(Math.abs(v - scores[i]!.logits[k]!)).toBeLessThan(1e-3));
      });
    }
  }, 300_000);
});
