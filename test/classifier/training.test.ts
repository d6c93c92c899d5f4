import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@xenova/transformers';
import { featureRows, positionRows, windowRows, windowStarts } from '../../src/classifier/features.js';
import { buildOnnxModel } from '../../src/classifier/onnx-graph.js';
import { buildTokenizerFiles, buildVocabulary, tokens } from '../../src/classifier/tokenizer.js';
import { logits, softmax, train, worstWindowLogits, type TrainingExample } from '../../src/classifier/trainer.js';
import { loadClassifier } from '../../src/classifier/index.js';
import { useOfflineModels } from '../../src/classifier/offline-env.js';

const texts = ['招聘会本周六举行', '社保挂靠一条龙办理', '远离赌博珍爱家庭', '百家乐注册送彩金', '养老金调整通知', '秘密文件请勿外传'];
const labels = [0, 3, 0, 3, 0, 1];

describe('tokenizer', () => {
  it('normalises like transformers.js: interference characters, full-width, digits, traditional characters', async () => {
    const vocab = buildVocabulary(['赌博网站充值返水vip123']);
    const dir = mkdtempSync(join(tmpdir(), 'lg-tok-'));
    mkdirSync(join(dir, 'tok'));
    for (const [name, json] of Object.entries(buildTokenizerFiles(vocab, 512))) writeFileSync(join(dir, 'tok', name), JSON.stringify(json));
    useOfflineModels(dir);
    const tok = await AutoTokenizer.from_pretrained('tok', { local_files_only: true });
    const ids = (t: string) => Array.from(tok.encode(t, null, { add_special_tokens: false }));
    expect(ids('赌*博 网\u200b站')).toEqual(ids('赌博网站'));
    expect(ids('ＶＩＰ１２３')).toEqual(ids('vip9'));
    expect(ids('賭博網站')).toEqual(ids('赌博网站'));
    expect(ids('😀')).toEqual([]);
    expect(ids('hello')).toEqual([vocab.indexOf('[UNK]')]);
    expect(tokens('VIP 123 赌')).toEqual(['vip', '0', '赌']);
  });
});

describe('trainer and ONNX export', () => {
  const vocab = buildVocabulary(texts);
  const shape = { vocabSize: vocab.length, buckets: 101 };
  const index = new Map(vocab.map((t, i) => [t, i]));
  const encode = (t: string) => featureRows(tokens(t).map((x) => index.get(x) ?? 1), shape);
  const examples: TrainingExample[] = texts.map((t, i) => ({ rows: encode(t), label: labels[i]! }));
  const options = { ...shape, dim: 8, labels: 6, epochs: 300, learningRate: 0.5, seed: 3 };

  it('is deterministic for a seed', () => {
    const a = train(examples, options);
    const b = train(examples, options);
    expect(Buffer.from(a.embeddings.buffer).equals(Buffer.from(b.embeddings.buffer))).toBe(true);
    expect(Array.from(a.weight)).toEqual(Array.from(b.weight));
    const c = train(examples, { ...options, seed: 4 });
    expect(Array.from(c.weight)).not.toEqual(Array.from(a.weight));
  });

  it('learns its training examples', () => {
    const w = train(examples, options);
    examples.forEach((ex) => {
      const p = softmax(logits(w, ex.rows));
      expect(p.indexOf(Math.max(...p))).toBe(ex.label);
    });
  });

  it('position rows cover exactly the rows of the whole text', () => {
    const ids = tokens('社保挂靠一条龙办理，加微信').map((x) => index.get(x) ?? 1);
    const whole = Array.from(featureRows(ids, shape)).sort((a, b) => a - b);
    const byPosition = Array.from(windowRows(positionRows(ids, shape), 0, ids.length)).sort((a, b) => a - b);
    expect(byPosition).toEqual(whole);
    expect(windowStarts(3, 5)).toEqual([0]);
    expect(windowStarts(7, 5)).toEqual([0, 1, 2]);
  });

  it('the worst window of a long text is the one holding the bad passage', () => {
    const w = train(examples, options);
    const ids = (t: string) => tokens(t).map((x) => index.get(x) ?? 1);
    const long = '养老金调整通知'.repeat(6) + '百家乐注册送彩金' + '招聘会本周六举行'.repeat(6);
    const worst = softmax(worstWindowLogits(w, ids(long), 8));
    const mean = softmax(logits(w, featureRows(ids(long), shape)));
    expect(worst.indexOf(Math.max(...worst))).toBe(3);
    expect(worst[3]!).toBeGreaterThan(mean[3]!);
  });

  it('exports a graph that transformers.js runs with the trainer’s probabilities', async () => {
    const w = train(examples, options);
    const window = 6;
    const dir = mkdtempSync(join(tmpdir(), 'lg-model-'));
    mkdirSync(join(dir, 'tiny', 'onnx'), { recursive: true });
    for (const [name, json] of Object.entries(buildTokenizerFiles(vocab, 512))) writeFileSync(join(dir, 'tiny', name), JSON.stringify(json));
    writeFileSync(join(dir, 'tiny', 'onnx', 'model.onnx'), buildOnnxModel(w, 'test', window));
    const labelNames = ['clean', 'secret', 'political', 'illegal', 'ads', 'vulgar'];
    writeFileSync(
      join(dir, 'tiny', 'config.json'),
      JSON.stringify({ model_type: 'bert', id2label: Object.fromEntries(labelNames.map((l, i) => [i, l])), label2id: Object.fromEntries(labelNames.map((l, i) => [l, i])) }),
    );
    const classifier = await loadClassifier({ modelsDir: dir, model: 'tiny' });
    const probe = [...texts, '社保挂靠', '赌', '', '未见过的字', '招聘会本周六举行。养老金调整通知。百家乐注册送彩金。远离赌博珍爱家庭', texts.join('')];
    const served = await classifier.classify(probe);
    const ids = (t: string) => tokens(t).map((x) => index.get(x) ?? 1);
    probe.forEach((t, i) => {
      const mine = softmax(worstWindowLogits(w, ids(t), window));
      labelNames.forEach((l, k) => expect(served[i]!.scores![l]).toBeCloseTo(mine[k]!, 5));
    });
  });
});
