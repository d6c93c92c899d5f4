/**
 * The classifier's judgement as a finding: the windows that drove it land on
 * the right field with exact offsets, it raises a post to review at most
 * (never blocks alone), its label joins the post's categories only when it
 * raised the verdict, and below the threshold it is still recorded as info.
 */
import { describe, expect, it } from 'vitest';
import { modelFinding } from '../../src/review/model-finding.js';
import { reviewPost } from '../../src/review/processor.js';
import type { ClassifierResult, ReviewInput, RuleMatcher, TextClassifier } from '../../src/review/types.js';
import { DEFAULT_VERDICT_POLICY, withClassifierThresholds } from '../../src/review/verdict.js';

/** A classifier that answers what it is told (the model is tested in test/classifier; this tests the processor around it). */
const fixed = (r: ClassifierResult): TextClassifier => ({ version: 'test-model-1', classify: async (texts) => texts.map(() => r) });
const noRules: RuleMatcher = { version: 'none', scan: () => [] };

const post: ReviewInput = { id: 'p', title: '通知标题', body: '第一句话。这一句是坏话。最后一句。', date: '2026-06-01' };
const text = `${post.title}\n${post.body}`;
const window = (needle: string, label = 'vulgar', score = 0.9) => ({ start: text.indexOf(needle), end: text.indexOf(needle) + needle.length, label, score });

describe('model finding', () => {
  it('maps the windows of title + "\\n" + body to spans of the fields, exactly', () => {
    const f = modelFinding(post, { label: 'vulgar', score: 0.95, evidence: [window('这一句是坏话'), window('通知标题')] }, 'm', DEFAULT_VERDICT_POLICY)!;
    expect(f.evidence).toEqual([
      { field: 'body', start: 5, end: 11, text: '这一句是坏话', score: 0.9 },
      { field: 'title', start: 0, end: 4, text: '通知标题', score: 0.9 },
    ]);
    for (const w of f.evidence) expect((w.field === 'title' ? post.title! : post.body).slice(w.start, w.end)).toBe(w.text);
    expect(f).toMatchObject({ category: 'vulgar', gate: 'text', model: 'm', action: 'review' });
    expect(f.message).toMatch(/低俗辱骂/);
  });

  it('is null for a clean reading and info below the threshold', () => {
    expect(modelFinding(post, { label: 'clean', score: 0.99 }, 'm', DEFAULT_VERDICT_POLICY)).toBeNull();
    const low = modelFinding(post, { label: 'ads', score: 0.31 }, 'm', withClassifierThresholds({ ads: { review: 0.9 } }))!;
    expect(low.action).toBe('info');
    expect(low.message).toMatch(/仅供参考/);
  });

  it('raises a post to review, never blocks, and adds its category only when it raised the verdict', async () => {
    const raised = await reviewPost(post, { rules: noRules, classifier: fixed({ label: 'illegal', score: 0.999, evidence: [window('这一句是坏话', 'illegal', 0.99)] }) });
    expect(raised.verdict).toBe('review');
    expect(raised.categories).toEqual(['illegal']);
    expect(raised.modelFinding).toMatchObject({ category: 'illegal', action: 'review', model: 'test-model-1' });
    const policy = withClassifierThresholds({ illegal: { review: 0.9999 } });
    const below = await reviewPost(post, { rules: noRules, classifier: fixed({ label: 'illegal', score: 0.999 }), policy });
    expect(below.verdict).toBe('pass');
    expect(below.categories).toEqual([]);
    expect(below.modelFinding).toMatchObject({ action: 'info' });
  });
});
