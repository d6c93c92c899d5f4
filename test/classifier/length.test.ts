import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, MODEL_ID, BASELINE_MODEL_ID } from '../../src/classifier/index.js';
import { MODELS_DIR, type ModelCard, type WindowModelCard } from '../../src/classifier/model-files.js';
import { CharTokenizer } from '../../src/classifier/char-tokenizer.js';
import { windowsOf } from '../../src/classifier/window-features.js';
import { buildRealLongDocuments } from '../../src/classifier/length-validation.js';
import { readTuningTexts } from '../../src/classifier/training-data.js';
import { hasSharedData } from '../../src/evaluation/real-data.js';
import { boostClean, lengthBoost, windowsInChunk, windowsScored } from '../../src/classifier/length-correction.js';
import { chunkText } from '../../src/classifier/chunking.js';
import { buildLongDocuments } from '../../src/classifier/length-validation.js';
import { readCorpus } from '../../src/classifier/corpus.js';
import { countTokens, tokens } from '../../src/classifier/tokenizer.js';
import type { TextClassifier } from '../../src/review/types.js';

/** The 1.x model kept beside the shipped one: its transformers.js path and length correction are still served. */
const card = JSON.parse(readFileSync(`${MODELS_DIR}${BASELINE_MODEL_ID}/lastgate.json`, 'utf8')) as ModelCard;

describe('length correction (arithmetic)', () => {
  it('counts the windows the graph compares and gives a single window no correction', () => {
    expect(windowsInChunk(0, 20)).toBe(1);
    expect(windowsInChunk(20, 20)).toBe(1);
    expect(windowsInChunk(21, 20)).toBe(2);
    expect(windowsScored(['', '一二三'], 20)).toBe(2);
    expect(lengthBoost(0.25, 1)).toBe(0);
    expect(lengthBoost(0.25, Math.E ** 8)).toBeCloseTo(2, 10);
  });

  it('counts tokens exactly as the tokenizer makes them', () => {
    const tricky = ['', '😀🎉', 'Hello 世界, WorldSkills 2026 冠军', '12,345元 a1b ＡＢＣ①② Ⅻ 〇 é ß İ', '赌*博 賭博 \u200b', '\ud800x', 'ａｂ12ｃ３', '𠀀𪚥 x y'];
    const dev = readCorpus('dev').map((e) => e.text);
    for (const t of [...tricky, ...dev]) expect(countTokens(t)).toBe(tokens(t).length);
  });

  it('raises the clean logit by the boost and keeps the other labels in proportion', () => {
    const p = { clean: 0.2, secret: 0.5, ads: 0.3 };
    const q = boostClean(p, 1.5);
    expect(q.clean! + q.secret! + q.ads!).toBeCloseTo(1, 12);
    expect(Math.log(q.clean! / q.secret!) - Math.log(p.clean / p.secret)).toBeCloseTo(1.5, 10);
    expect(q.secret! / q.ads!).toBeCloseTo(p.secret / p.ads, 10);
    expect(boostClean(p, 0)).toBe(p);
  });
});

describe('long-document validation set', () => {
  it('is built from dev posts only, deterministically', () => {
    const dev = readCorpus('dev');
    const a = buildLongDocuments(dev, 5);
    const b = buildLongDocuments(dev, 5);
    expect(a).toEqual(b);
    expect(a.filter((d) => d.kind === 'bad')).toHaveLength(5);
    const devTexts = new Set(dev.map((e) => e.text));
    for (const d of a) for (const p of d.text.split('\n')) if (p !== '') expect(devTexts.has(p) || dev.some((e) => e.text.includes(p))).toBe(true);
    expect(() => buildLongDocuments(readCorpus('test').slice(0, 3))).toThrow(/dev posts only/);
  });
});

describe('length-aware decision of the 1.x model (served)', () => {
  // The shipped model, and the same files with the correction switched off in
  // the card: the difference is exactly coefficient · ln(windows scored).
  let tmp: string;
  let served: TextClassifier;
  let uncorrected: TextClassifier;
  const paragraphs = [
    '本市持续开展公共就业服务进校园活动，为高校毕业生提供岗位信息和职业指导。',
    '失业保险金按月发放，领取期间由失业保险基金代缴基本医疗保险费。',
    '退休人员可通过“随申办”完成养老金领取资格认证，全年均可办理。',
    '各区人社部门将于本月举办专场招聘会，欢迎有意向的求职者现场咨询。',
    '职业技能等级证书可在线查询和下载电子证照，与纸质证书具有同等效力。',
  ];
  const longClean = Array.from({ length: 160 }, (_, i) => `${paragraphs[i % paragraphs.length]}（第${i + 1}条）`).join('\n');
  const leak = '【机密★5年】局党组会议纪要：涉及干部任免的处理意见，仅限局领导阅知，严禁拍照转发。';
  const lines = longClean.split('\n');
  const longBad = [...lines.slice(0, 90), leak, ...lines.slice(90)].join('\n');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lastgate-length-'));
    served = await loadClassifier({ model: BASELINE_MODEL_ID });
    mkdirSync(join(tmp, BASELINE_MODEL_ID));
    for (const f of ['onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json']) symlinkSync(`${MODELS_DIR}${BASELINE_MODEL_ID}/${f}`, join(tmp, BASELINE_MODEL_ID, f));
    writeFileSync(join(tmp, BASELINE_MODEL_ID, 'lastgate.json'), JSON.stringify({ ...card, lengthCorrection: { coefficient: 0, of: 'windows scored' } }));
    uncorrected = await loadClassifier({ modelsDir: tmp, model: BASELINE_MODEL_ID });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships a length correction in the model card', () => {
    expect(card.lengthCorrection?.coefficient).toBeGreaterThan(0);
    expect(card.lengthCorrection?.of).toBe('windows scored');
  });

  it('adds coefficient · ln(windows scored) to the clean logit, and nothing for a one-window post', async () => {
    const short = '本周六举办招聘会，咨询电话12333。';
    const [a, b] = await served.classify([longClean, short]);
    const [u, v] = await uncorrected.classify([longClean, short]);
    const windows = windowsScored(chunkText(longClean), card.window);
    expect(windows).toBeGreaterThan(1000);
    const shift = Math.log(a!.scores!.clean! / a!.scores!.secret!) - Math.log(u!.scores!.clean! / u!.scores!.secret!);
    expect(shift).toBeCloseTo(card.lengthCorrection!.coefficient * Math.log(windows), 5);
    expect(windowsScored([short], card.window)).toBe(1);
    expect(b!.scores!.clean!).toBeCloseTo(v!.scores!.clean!, 10);
  });

  it('keeps a long clean document clean', async () => {
    const [r] = await served.classify([longClean]);
    expect(longClean.length).toBeGreaterThan(5000);
    expect(r!.label).toBe('clean');
  });

  it('still flags a long document with one bad paragraph, with its label', async () => {
    const [r] = await served.classify([longBad]);
    expect(r!.label).toBe('secret');
    expect(r!.scores!.secret!).toBeGreaterThan(0.9);
  });

  it('catches dev bad posts hidden in long dev documents, and passes more long clean dev documents than without the correction', async () => {
    const docs = buildLongDocuments(readCorpus('dev'), 40);
    const withC = await served.classify(docs.map((d) => d.text));
    const without = await uncorrected.classify(docs.map((d) => d.text));
    const rate = (rs: typeof withC, kind: string, clean: boolean) => {
      const xs = rs.filter((_, i) => docs[i]!.kind === kind);
      return xs.filter((r) => (r.label === 'clean') === clean).length / xs.length;
    };
    expect(rate(withC, 'bad', false)).toBeGreaterThanOrEqual(0.95);
    expect(rate(withC, 'ordinary', true)).toBeGreaterThan(rate(without, 'ordinary', true));
    expect(rate(withC, 'clean', true)).toBeGreaterThanOrEqual(rate(without, 'clean', true));
  });
});

describe('length-aware decision of the window model (served)', () => {
  const wcard = JSON.parse(readFileSync(`${MODELS_DIR}${MODEL_ID}/lastgate.json`, 'utf8')) as WindowModelCard;
  const tokenizer = CharTokenizer.fromFile(`${MODELS_DIR}${MODEL_ID}/tokenizer.json`);
  let tmp: string;
  let served: TextClassifier;
  let corrected: TextClassifier;
  const paragraphs = [
    '本市持续开展公共就业服务进校园活动，为高校毕业生提供岗位信息和职业指导。',
    '失业保险金按月发放，领取期间由失业保险基金代缴基本医疗保险费。',
    '退休人员可通过“随申办”完成养老金领取资格认证，全年均可办理。',
  ];
  const longClean = Array.from({ length: 160 }, (_, i) => `${paragraphs[i % paragraphs.length]}（第${i + 1}条）`).join('\n');

  beforeAll(async () => {
    served = await loadClassifier();
    // The same files with a length coefficient of 0.3 in the card.
    tmp = mkdtempSync(join(tmpdir(), 'lastgate-wlength-'));
    mkdirSync(join(tmp, MODEL_ID));
    for (const f of ['onnx', 'tokenizer.json', 'tokenizer_config.json']) symlinkSync(`${MODELS_DIR}${MODEL_ID}/${f}`, join(tmp, MODEL_ID, f));
    writeFileSync(join(tmp, MODEL_ID, 'lastgate.json'), JSON.stringify({ ...wcard, lengthCorrection: { coefficient: (wcard.lengthCorrection?.coefficient ?? 0) + 0.3, of: 'windows scored' } }));
    corrected = await loadClassifier({ modelsDir: tmp, model: MODEL_ID });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('adds coefficient · ln(windows) to the clean logit of the worst window, and nothing for a one-window post', async () => {
    const short = '本周六举办招聘会，咨询电话12333。';
    const [a, b] = await served.classify([longClean, short]);
    const [u, v] = await corrected.classify([longClean, short]);
    const windows = windowsOf(tokenizer.encode(longClean).ids.length, wcard.window, wcard.stride);
    expect(windows).toBeGreaterThan(500);
    const odds = (r: typeof a) => Math.log(r!.scores!.clean! / r!.scores!.vulgar!);
    expect(odds(u) - odds(a)).toBeCloseTo(0.3 * Math.log(windows), 5);
    expect(windowsOf(tokenizer.encode(short).ids.length, wcard.window, wcard.stride)).toBe(1);
    expect(v!.scores!.clean!).toBeCloseTo(b!.scores!.clean!, 10);
    // The evidence is the model's view of the windows: the length correction does not change it.
    expect(u!.evidence).toEqual(a!.evidence);
  });

  it('keeps a long clean document clean', async () => {
    const [r] = await served.classify([longClean]);
    expect(longClean.length).toBeGreaterThan(5000);
    expect(r!.label).toBe('clean');
  });

  it.runIf(hasSharedData())('keeps most whole official dev documents clean and finds a bad text inserted into them', async () => {
    const docs = buildRealLongDocuments(readTuningTexts(['dev']));
    const results = await served.classify(docs.map((d) => d.text));
    const clean = docs.map((d, i) => ({ d, r: results[i]! })).filter(({ d }) => d.kind === 'official');
    expect(clean.filter(({ r }) => r.label === 'clean').length / clean.length).toBeGreaterThanOrEqual(0.8);
    // Where a document with an inserted bad text is flagged, the strongest evidence window lies in the inserted text.
    const bad = docs.map((d, i) => ({ d, r: results[i]! })).filter(({ d, r }) => d.kind === 'official+bad' && r.label !== 'clean');
    expect(bad.length).toBeGreaterThan(0);
    const located = bad.filter(({ d, r }) => {
      const at = d.text.indexOf(d.inserted!);
      const e = r.evidence![0]!;
      return e.start < at + d.inserted!.length && e.end > at;
    });
    expect(located.length / bad.length).toBeGreaterThanOrEqual(0.8);
  });
});
