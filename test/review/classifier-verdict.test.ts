/**
 * The shipped classifier in machine review, end to end through `lastgate
 * scan` and the processor: whenever the classifier raises a post, its label
 * is among the post's categories and the post carries a model finding; it
 * never blocks on its own; and no anti-fraud or anti-gambling warning of our
 * corpus (every split, 1,206 posts that quote what they warn against) is
 * blocked by machine review.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../../src/cli/scan.js';
import { loadClassifier } from '../../src/classifier/index.js';
import { reviewPost } from '../../src/review/processor.js';
import type { TextClassifier } from '../../src/review/types.js';
import { loadRuleEngine, type RuleEngine } from '../../src/rules/engine.js';
import { REPO } from '../rules/paths.js';

let rules: RuleEngine;
let classifier: TextClassifier;
beforeAll(async () => {
  rules = loadRuleEngine();
  classifier = await loadClassifier();
}, 60_000);

async function scan(posts: object[]) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const code = await runScan(['-'], { stdin: Readable.from([posts.map((p) => JSON.stringify(p)).join('\n')]), stdout, stderr: new PassThrough() });
  expect(code).toBe(0);
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('the classifier in machine review', () => {
  it('puts its label in categories whenever it raised the verdict, with a model finding in Chinese', async () => {
    const lines = await scan([
      { id: 'insult', body: '你们外地人素质真低，滚回你们老家去吧，别在这里丢人现眼' },
      { id: 'official', body: '本市持续完善技能人才评价体系，用人单位应当按时足额支付劳动报酬。咨询电话12333。' },
      { id: 'both', body: '这帮人真是傻逼，滚回老家去' },
    ]);
    let raisedAlone = 0;
    for (const l of lines) {
      const c = l.classifier;
      expect(c).toMatchObject({ model: expect.stringMatching(/^lastgate-zh-/), message: expect.stringMatching(/模型/) });
      if (c.action === 'review') {
        expect(l.categories, l.id).toContain(c.category);
        expect(l.verdict, l.id).not.toBe('pass');
        if (l.hits.length === 0) {
          raisedAlone++;
          expect(l.verdict).toBe('review');
        }
        for (const w of c.evidence) expect(typeof w.start).toBe('number');
      }
    }
    expect(raisedAlone).toBeGreaterThan(0);
    expect(lines.find((l) => l.id === 'official')).toMatchObject({ verdict: 'pass', categories: [] });
  });

  it('blocks none of the anti-fraud and anti-gambling warnings of our corpus', async () => {
    const warnings = ['train', 'dev', 'test']
      .flatMap((split) => readFileSync(join(REPO, `data/corpus/${split}.jsonl`), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { id: string; source: string; text: string; label: string })
      .filter((p) => /^hard\.(antifraud|antigamble|warning)/.test(p.source));
    expect(warnings.length).toBeGreaterThan(1000);
    const blocked: string[] = [];
    for (const w of warnings) {
      const r = await reviewPost({ id: w.id, body: w.text, date: '2026-06-01' }, { rules, classifier });
      if (r.verdict === 'block') blocked.push(`${w.source}: ${r.hits.filter((h) => h.action === 'block').map((h) => h.rule + ' ' + h.text).join(', ')} :: ${w.text.slice(0, 60)}`);
    }
    expect(blocked).toEqual([]);
  }, 120_000);
});
