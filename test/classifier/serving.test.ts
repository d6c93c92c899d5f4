import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { env } from '@xenova/transformers';
import { loadClassifier, LABELS, MODEL_ID } from '../../src/classifier/index.js';
import type { TextClassifier } from '../../src/review/types.js';

const seedsDir = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));

describe('loadClassifier (offline)', () => {
  const realFetch = globalThis.fetch;
  const fetchSpy = vi.fn(() => {
    throw new Error('network is unreachable in this test');
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
  });

  it('loads the shipped model from models/ without touching the network', async () => {
    expect(classifier.version).toBe(MODEL_ID);
    await classifier.classify(['本周六举办招聘会，咨询电话12333。']);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(env.allowRemoteModels).toBe(false);
  });

  it('returns one result per text with a probability for every label', async () => {
    const texts = ['本周六举办招聘会，咨询电话12333。', '加微信进群，跟着老师下注百家乐，稳赚不赔。', '这帮傻逼天天发没用的东西'];
    const results = await classifier.classify(texts);
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(Object.keys(r.scores!).sort()).toEqual([...LABELS].sort());
      const sum = Object.values(r.scores!).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 4);
      expect(r.score).toBe(Math.max(...Object.values(r.scores!)));
      expect(r.scores![r.label]).toBe(r.score);
    }
  });

  it('scores a batch the same as one text at a time', async () => {
    const texts = ['乐业上海发布招聘会信息。', '【秘密★1年】局党组会议纪要，请勿外传。', '', '赌', '限时特惠，全网最低价，扫码立即抢购！'];
    const batch = await classifier.classify(texts);
    for (let i = 0; i < texts.length; i++) {
      const [single] = await classifier.classify([texts[i]!]);
      expect(single!.label).toBe(batch[i]!.label);
      expect(single!.score).toBeCloseTo(batch[i]!.score, 5);
    }
  });

  it('scores empty, emoji-only, mixed-language and whitespace texts without error', async () => {
    const results = await classifier.classify(['', '😀🎉👍', '   \n\t', 'Hello 世界, WorldSkills 2026 冠军分享会 🎉', '\u200b\u200b']);
    expect(results).toHaveLength(5);
    for (const r of results) expect(Number.isFinite(r.score)).toBe(true);
    // Nothing to object to in an empty or emoji-only post.
    expect(results[0]!.label).toBe('clean');
    expect(results[1]!.label).toBe('clean');
  });

  it('scores a huge text in windows, and the worst window counts', async () => {
    const clean = '本市持续开展公共就业服务进校园活动，为高校毕业生提供岗位信息和职业指导。'.repeat(1500);
    expect(clean.length).toBeGreaterThanOrEqual(50_000);
    // One leaked sentence in 50,000 characters: the graph scores windows of a
    // few dozen characters and the worst one counts, so it is not averaged away.
    const leak = '【机密★5年】局党组会议纪要：涉及干部任免的处理意见，仅限局领导阅知，严禁拍照转发。';
    const bad = `${clean.slice(0, 30_000)}\n${leak}\n${clean.slice(30_000)}`;
    const [c, b, short] = await classifier.classify([clean, bad, `本周六举办招聘会，咨询电话12333。${leak}欢迎参加。`]);
    expect(c!.label).toBe('clean');
    expect(b!.label).toBe('secret');
    expect(b!.scores!.secret!).toBeGreaterThan(0.9);
    expect(short!.label).toBe('secret');
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
  });
});
