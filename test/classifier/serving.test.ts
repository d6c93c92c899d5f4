import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { env } from '@xenova/transformers';
import { loadClassifier, LABELS, MODEL_ID, BASELINE_MODEL_ID } from '../../src/classifier/index.js';
import type { ClassifierResult, TextClassifier } from '../../src/review/types.js';
import { MAX_EVIDENCE } from '../../src/classifier/window-model.js';

const seedsDir = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));
const leak = '【机密★5年】局党组会议纪要：涉及干部任免的处理意见，仅限局领导阅知，严禁拍照转发。';

/** Evidence of a result: well formed, inside the text, strongest first, disjoint, not clean. */
function checkEvidence(text: string, r: ClassifierResult) {
  expect(Array.isArray(r.evidence)).toBe(true);
  const ev = r.evidence!;
  expect(ev.length).toBeLessThanOrEqual(MAX_EVIDENCE);
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i]!;
    expect(Number.isInteger(e.start) && Number.isInteger(e.end)).toBe(true);
    expect(e.start).toBeGreaterThanOrEqual(0);
    expect(e.end).toBeGreaterThan(e.start);
    expect(e.end).toBeLessThanOrEqual(text.length);
    expect(LABELS).toContain(e.label);
    expect(e.label).not.toBe('clean');
    expect(e.score).toBeGreaterThan(0);
    expect(e.score).toBeLessThanOrEqual(1);
    if (i > 0) expect(e.score).toBeLessThanOrEqual(ev[i - 1]!.score);
    for (let j = 0; j < i; j++) expect(e.start >= ev[j]!.end || e.end <= ev[j]!.start).toBe(true);
    // Offsets never split a surrogate pair.
    expect(text.slice(e.start, e.end)).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  }
}

describe('loadClassifier (offline)', () => {
  const realFetch = globalThis.fetch;
  const fetchSpy = vi.fn(() => {
    throw new Error('network is unreachable in this test');
  });
  const connectSpy = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
    throw new Error('no sockets in this test');
  });
  let classifier: TextClassifier;

  beforeAll(async () => {
    globalThis.fetch = fetchSpy as unknown as typeof fetch;
    // Make any remote lookup point at an address that cannot answer.
    env.remoteHost = 'http://127.0.0.1:9/';
    classifier = await loadClassifier();
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
    connectSpy.mockRestore();
  });

  it('loads the shipped model from models/ without touching the network', async () => {
    expect(classifier.version).toBe(MODEL_ID);
    await classifier.classify(['本周六举办招聘会，咨询电话12333。']);
    // The 1.x model (transformers.js) loads offline too.
    const baseline = await loadClassifier({ model: BASELINE_MODEL_ID });
    await baseline.classify(['本周六举办招聘会，咨询电话12333。']);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(connectSpy).not.toHaveBeenCalled();
    expect(env.allowRemoteModels).toBe(false);
  });

  it('returns one result per text with a probability for every label', async () => {
    const texts = ['本周六举办招聘会，咨询电话12333。', '加微信进群，跟着老师下注百家乐，稳赚不赔。', '这帮傻逼天天发没用的东西'];
    const results = await classifier.classify(texts);
    expect(results).toHaveLength(3);
    results.forEach((r, i) => {
      expect(Object.keys(r.scores!).sort()).toEqual([...LABELS].sort());
      const sum = Object.values(r.scores!).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 4);
      expect(r.score).toBe(Math.max(...Object.values(r.scores!)));
      expect(r.scores![r.label]).toBe(r.score);
      checkEvidence(texts[i]!, r);
    });
  });

  it('scores a batch the same as one text at a time', async () => {
    const texts = ['乐业上海发布招聘会信息。', '【秘密★1年】局党组会议纪要，请勿外传。', '', '赌', '限时特惠，全网最低价，扫码立即抢购！', '本市持续开展公共就业服务进校园活动。'.repeat(300)];
    const batch = await classifier.classify(texts);
    for (let i = 0; i < texts.length; i++) {
      const [single] = await classifier.classify([texts[i]!]);
      expect(single!.label).toBe(batch[i]!.label);
      expect(single!.score).toBeCloseTo(batch[i]!.score, 5);
      expect(single!.evidence).toEqual(batch[i]!.evidence);
    }
  });

  it('scores empty, emoji-only, mixed-language and whitespace texts without error', async () => {
    const texts = ['', '😀🎉👍', '   \n\t', 'Hello 世界, WorldSkills 2026 冠军分享会 🎉', '\u200b\u200b'];
    const results = await classifier.classify(texts);
    expect(results).toHaveLength(5);
    results.forEach((r, i) => {
      expect(Number.isFinite(r.score)).toBe(true);
      checkEvidence(texts[i]!, r);
    });
    // Nothing to object to in an empty or emoji-only post.
    expect(results[0]!.label).toBe('clean');
    expect(results[1]!.label).toBe('clean');
    expect(results[0]!.evidence).toEqual([]);
  });

  it('scores a huge text in windows: the worst window counts and the evidence points at it', async () => {
    const clean = '本市持续开展公共就业服务进校园活动，为高校毕业生提供岗位信息和职业指导。'.repeat(1500);
    expect(clean.length).toBeGreaterThanOrEqual(50_000);
    const bad = `${clean.slice(0, 30_000)}\n${leak}\n${clean.slice(30_000)}`;
    const short = `本周六举办招聘会，咨询电话12333。${leak}欢迎参加。`;
    const [c, b, s] = await classifier.classify([clean, bad, short]);
    expect(c!.label).toBe('clean');
    expect(b!.label).toBe('secret');
    expect(s!.label).toBe('secret');
    const at = bad.indexOf(leak);
    for (const [text, r, start] of [[bad, b!, at], [short, s!, short.indexOf(leak)]] as const) {
      checkEvidence(text, r);
      const top = r.evidence![0]!;
      expect(top.label).toBe('secret');
      // The strongest window overlaps the leaked sentence.
      expect(top.start < start + leak.length && top.end > start).toBe(true);
    }
  });

  it('gives evidence offsets into the text as given, emoji, traditional characters and interference characters included', async () => {
    const prefix = '😀😀【通知】本市發佈就業補貼政策，請廣大市民留意。🎉';
    const text = `${prefix}${leak.replace('机密', '机\u200b密')}😀`;
    const [r] = await classifier.classify([text]);
    expect(r!.label).toBe('secret');
    checkEvidence(text, r!);
    const top = r!.evidence![0]!;
    expect(top.start).toBeGreaterThanOrEqual(prefix.length - 20);
    expect(text.slice(top.start, top.end).replace(/\u200b/g, '')).toMatch(/机密|纪要|阅知|转发|任免/);
  });

  it('tells warnings and correct names from the real thing', async () => {
    const [warning, promotion, correct, wrong] = await classifier.classify([
      '反诈提醒：网上声称“社保挂靠、代缴社保”的均属违法行为，切勿轻信，如遇可疑情况请拨打110。',
      '社保挂靠一条龙办理，无需本人到场，加微信详聊。',
      '深入学习贯彻习近平总书记关于就业工作的重要论述，扎实做好稳就业工作。',
      '据报道，台湾政府的就业政策引发广泛关注。',
    ]);
    expect(warning!.label).toBe('clean');
    expect(promotion!.label).toBe('illegal');
    expect(correct!.label).toBe('clean');
    expect(wrong!.label).toBe('political');
  });

  it('scores the two seed documents clean', async () => {
    const files = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort();
    expect(files).toHaveLength(2);
    const results = await classifier.classify(files.map((f) => readFileSync(`${seedsDir}${f}`, 'utf8')));
    for (const r of results) expect(r.label).toBe('clean');
  });

  it('reuses one loaded model per thread', async () => {
    expect(await loadClassifier()).toBe(classifier);
  });

  it('rejects a model directory that does not exist instead of downloading', async () => {
    await expect(loadClassifier({ model: 'no-such-model-0.0.0' })).rejects.toThrow();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(connectSpy).not.toHaveBeenCalled();
  });
});
