/**
 * Claims, reviewer scoping and override visibility in the store programs
 * (real SQLite): a decision needs no claim and ends any; a reviewer given
 * accounts sees and decides only those accounts' posts; an override is on the
 * post and in the queue with who and why.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, freshStore, result } from '../helpers/db.js';
import type { Hit } from '../../src/review/types.js';

const secretHit: Hit = { field: 'body', start: 0, end: 2, text: '机密', rule: 'secret.marking', category: 'secret', gate: 'confidentiality', severity: 'critical', action: 'block' };

async function setup() {
  const env = freshStore();
  const editor = await env.mk('编辑', 'editor', ['人社官微', '上海社保']);
  const a = await env.mk('甲', 'reviewer');
  const scoped = await env.mk('区审核员', 'reviewer', ['上海社保']);
  const comp = await env.mk('合规', 'compliance');
  const versionOf = (postId: string) =>
    env.db.$client.prepare('SELECT v.id FROM post_versions v JOIN posts p ON p.id = v.post_id AND p.current_version = v.version WHERE p.id = ?').pluck().get(postId) as number;
  const submit = async (account: string, body: string, r = result()) => {
    const p = await env.store.submitPost(editor, { account, body });
    env.store.applyMachineReview(versionOf(p.id), r);
    return p.id;
  };
  const taskOf = async (postId: string) => (await env.store.getPost(editor, postId)).tasks[0]!;
  return { ...env, editor, a, scoped, comp, submit, taskOf };
}

describe('claims', () => {
  it('lets a reviewer decide without claiming, ends the claim on a decision, and refuses a task someone else holds', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '普通稿件');
    const task = await s.taskOf(id);
    expect(task).toMatchObject({ state: 'open', claimedBy: null });
    // Reading is not claiming.
    await s.store.getTask(s.a, task.id);
    expect((await s.taskOf(id)).claimedBy).toBeNull();
    // Someone else's claim holds the task for them; once released, an unclaimed decision goes through.
    await s.store.claimTask(s.a, task.id);
    const b = await s.mk('乙', 'reviewer');
    expect(await codeOf(s.store.decide(b, task.id, { decision: 'approve' }))).toBe('conflict');
    expect(await codeOf(s.store.releaseClaim(b, task.id))).toBe('conflict');
    await s.store.releaseClaim(s.a, task.id);
    const r = await s.store.decide(b, task.id, { decision: 'approve' });
    expect(r).toMatchObject({ status: 'approved', task: { state: 'done', claimedBy: null } });
  });

  it('says in Chinese why a claim or a decision is refused', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '普通稿件');
    const task = await s.taskOf(id);
    await s.store.claimTask(s.a, task.id);
    const b = await s.mk('乙', 'reviewer');
    const err = await s.store.decide(b, task.id, { decision: 'approve' }).catch((e) => e);
    expect(err.zh).toBe('此稿正由其他审核员处理，请稍后再试');
    const own = await s.store.claimTask(s.editor, task.id).catch((e) => e);
    expect(own.code).toBe('forbidden');
    expect(own.zh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('reviewers scoped to accounts', () => {
  it('shows and lets decide only the posts of their accounts; an unscoped reviewer sees the whole matrix', async () => {
    const s = await setup();
    const city = await s.submit('人社官微', '市级稿件');
    const district = await s.submit('上海社保', '区级稿件');
    expect((await s.store.queue(s.a)).items.map((i) => i.postId).sort()).toEqual([city, district].sort());
    expect((await s.store.queue(s.scoped)).items.map((i) => i.postId)).toEqual([district]);
    expect((await s.store.queue(s.scoped)).counts).toMatchObject({ total: 1, byAccount: { 上海社保: 1 } });
    expect((await s.store.listTasks(s.scoped, { limit: 50 })).map((t) => t.postId)).toEqual([district]);
    const cityTask = await s.taskOf(city);
    expect(await codeOf(s.store.getTask(s.scoped, cityTask.id))).toBe('not_found');
    expect(await codeOf(s.store.getPost(s.scoped, city))).toBe('not_found');
    expect(await codeOf(s.store.claimTask(s.scoped, cityTask.id))).toBe('not_found');
    expect(await codeOf(s.store.decide(s.scoped, cityTask.id, { decision: 'approve' }))).toBe('not_found');
    expect((await s.store.listPosts(s.scoped)).map((p) => p.id)).toEqual([district]);
    expect((await s.store.decide(s.scoped, (await s.taskOf(district)).id, { decision: 'approve' })).status).toBe('approved');
  });
});

describe('the queue', () => {
  it('filters by machine verdict (the 低风险 tab) and counts the passed items whatever the filter', async () => {
    const s = await setup();
    const clean = await s.submit('人社官微', '招聘会通知');
    const risky = await s.submit('人社官微', '台湾政府', result({ verdict: 'review', categories: ['political'], hits: [{ ...secretHit, rule: 'political.taiwan', category: 'political', gate: 'political', severity: 'high', action: 'review' }] }));
    const q = await s.store.queue(s.a, { verdict: 'pass' });
    expect(q.items.map((i) => i.postId)).toEqual([clean]);
    expect(q.counts).toMatchObject({ total: 2, pass: 1, high: 1 });
    expect((await s.store.queue(s.a, { verdict: 'review' })).items.map((i) => i.postId)).toEqual([risky]);
  });

  it('marks an overridden block in the queue and on the post, with the officer and the reason', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '机密文件', result({ verdict: 'block', categories: ['secret'], hits: [secretHit] }));
    expect((await s.store.getPost(s.editor, id)).overrides).toEqual([]);
    await s.store.overrideBlock(s.comp, id, '“机密”为公开报道中的引用');
    const post = await s.store.getPost(s.editor, id);
    expect(post.overrides).toEqual([{ version: 1, actorId: s.comp.id, actorName: '合规', reason: '“机密”为公开报道中的引用', at: expect.any(String) }]);
    const comp2 = await s.mk('合规二', 'compliance');
    const [item] = (await s.store.queue(comp2)).items;
    expect(item).toMatchObject({ postId: id, verdict: 'block', overridden: true, requiredApprovals: 2 });
    expect((await s.store.listPosts(s.editor)).find((p) => p.id === id)).toMatchObject({ verdict: 'block', overridden: true });
  });
});
