import { describe, expect, it } from 'vitest';
import { codeOf, freshStore, result } from '../helpers/db.js';
import { verifyAudit } from '../../src/audit/log.js';

async function setup() {
  const env = freshStore();
  const editor = await env.mk('张编辑', 'editor', ['人社官微']);
  const a = await env.mk('审核员甲', 'reviewer');
  const b = await env.mk('审核员乙', 'reviewer');
  const compliance = await env.mk('合规丙', 'compliance');
  const versionOf = (postId: string) =>
    env.db.$client.prepare('SELECT v.id FROM post_versions v JOIN posts p ON p.id = v.post_id AND p.current_version = v.version WHERE p.id = ?').pluck().get(postId) as number;
  return { ...env, editor, a, b, compliance, versionOf };
}

const politicalHit = { field: 'body' as const, start: 0, end: 4, text: '台湾政府', rule: 'political.taiwan', category: 'political' as const, gate: 'political' as const, severity: 'high' as const, action: 'review' as const, suggestion: '台湾当局' };


describe('SQLite store lifecycle', () => {
  it('runs submit → machine review → one approval → publish, and audits every step', async () => {
    const s = await setup();
    const post = await s.store.submitPost(s.editor, { account: '人社官微', title: '通知', body: '欢迎拨打12333咨询。' });
    expect(post.status).toBe('submitted');
    expect(await codeOf(s.store.publish(s.editor, post.id, {}))).toBe('conflict');
    s.store.applyMachineReview(s.versionOf(post.id), result());
    const [task] = await s.store.listTasks(s.a, { postId: post.id, limit: 10 });
    expect(task).toMatchObject({ requiredApprovals: 1, state: 'open' });
    await s.store.claimTask(s.a, task!.id);
    expect(await codeOf(s.store.claimTask(s.b, task!.id))).toBe('conflict');
    expect(await codeOf(s.store.decide(s.b, task!.id, { decision: 'approve' }))).toBe('conflict');
    const d = await s.store.decide(s.a, task!.id, { decision: 'approve' });
    expect(d.status).toBe('approved');
    expect(await codeOf(s.store.publish(s.a, post.id, {}))).toBe('forbidden');
    const pub = await s.store.publish(s.editor, post.id, { url: 'https://mp.weixin.qq.com/s/x' });
    expect(pub.status).toBe('published');
    const view = await s.store.getPost(s.editor, post.id);
    expect(view.reviews).toHaveLength(1);
    expect(view.publications[0]).toMatchObject({ version: 1, url: 'https://mp.weixin.qq.com/s/x' });
    const actions = s.db.$client.prepare('SELECT action FROM audit_log ORDER BY seq').pluck().all();
    expect(actions).toEqual(['user.add', 'user.add', 'user.add', 'user.add', 'post.submit', 'post.machine_review', 'task.claim', 'task.approve', 'post.publish']);
    expect(verifyAudit(s.db)).toEqual({ ok: true, rows: 9 });
  });

  it('needs two approvals from two different reviewers for a political finding', async () => {
    const s = await setup();
    const post = await s.store.submitPost(s.editor, { account: '人社官微', body: '台湾政府宣布' });
    s.store.applyMachineReview(s.versionOf(post.id), result({ verdict: 'review', categories: ['political'], hits: [politicalHit] }));
    const [task] = await s.store.listTasks(s.a, { postId: post.id, limit: 10 });
    expect(task!.requiredApprovals).toBe(2);
    await s.store.claimTask(s.a, task!.id);
    expect((await s.store.decide(s.a, task!.id, { decision: 'approve' })).status).toBe('pending_review');
    // The same reviewer can neither claim again nor approve twice.
    expect(await codeOf(s.store.claimTask(s.a, task!.id))).toBe('conflict');
    expect(await codeOf(s.store.decide(s.a, task!.id, { decision: 'approve' }))).toBe('conflict');
    expect(await codeOf(s.store.publish(s.editor, post.id, {}))).toBe('conflict');
    await s.store.claimTask(s.b, task!.id);
    expect((await s.store.decide(s.b, task!.id, { decision: 'approve' })).status).toBe('approved');
    expect((await s.store.publish(s.editor, post.id, {})).status).toBe('published');
  });

  it('forbids an author from deciding on their own post', async () => {
    const s = await setup();
    const author = await s.mk('兼任编辑的审核员', 'admin');
    const post = await s.store.submitPost(author, { account: '人社官微', body: '正文' });
    s.store.applyMachineReview(s.versionOf(post.id), result());
    const [task] = await s.store.listTasks(s.a, { postId: post.id, limit: 10 });
    expect(await codeOf(s.store.decide(author, task!.id, { decision: 'approve' }))).toBe('forbidden');
    expect(await codeOf(s.store.decide(s.editor, task!.id, { decision: 'approve' }))).toBe('forbidden');
  });

  it('is idempotent when a machine review is applied twice', async () => {
    const s = await setup();
    const post = await s.store.submitPost(s.editor, { account: '人社官微', body: '正文' });
    const v = s.versionOf(post.id);
    s.store.applyMachineReview(v, result());
    s.store.applyMachineReview(v, result({ verdict: 'block' }));
    const count = (sql: string) => s.db.$client.prepare(sql).pluck().get(v) as number;
    expect(count('SELECT count(*) FROM machine_reviews WHERE version_id = ?')).toBe(1);
    expect(count('SELECT count(*) FROM review_tasks WHERE version_id = ?')).toBe(1);
    expect((await s.store.getPost(s.editor, post.id)).status).toBe('pending_review');
  });

  it('sends a machine block back to the editor; a new version voids earlier approvals', async () => {
    const s = await setup();
    const post = await s.store.submitPost(s.editor, { account: '人社官微', body: '秘密★内部资料' });
    s.store.applyMachineReview(s.versionOf(post.id), result({ verdict: 'block' }));
    expect((await s.store.getPost(s.editor, post.id)).status).toBe('changes_requested');
    expect(await s.store.listTasks(s.a, { postId: post.id, limit: 10 })).toHaveLength(0);
    const v2 = await s.store.resubmitPost(s.editor, post.id, { body: '已删除涉密内容' });
    expect(v2).toMatchObject({ version: 2, status: 'submitted' });
    s.store.applyMachineReview(s.versionOf(post.id), result({ verdict: 'review', hits: [politicalHit] }));
    const [t2] = await s.store.listTasks(s.a, { postId: post.id, limit: 10 });
    await s.store.decide(s.a, t2!.id, { decision: 'approve' });
    const v3 = await s.store.resubmitPost(s.editor, post.id, { body: '再次修改' });
    expect(v3.version).toBe(3);
    const tasks = await s.store.listTasks(s.a, { postId: post.id, limit: 10 });
    expect(tasks.map((t) => t.state)).toEqual(['void']);
    expect(await codeOf(s.store.decide(s.b, t2!.id, { decision: 'approve' }))).toBe('conflict');
  });

  it('editors submit only to their own accounts and cannot see other accounts', async () => {
    const s = await setup();
    expect(await codeOf(s.store.submitPost(s.editor, { account: '上海社保', body: '正文' }))).toBe('forbidden');
    expect(await codeOf(s.store.submitPost(s.editor, { account: '不存在的号', body: '正文' }))).toBe('invalid');
    expect(await codeOf(s.store.submitPost(s.a, { account: '人社官微', body: '正文' }))).toBe('forbidden');
    const other = await s.mk('李编辑', 'editor', ['上海社保']);
    const post = await s.store.submitPost(other, { account: '上海社保', body: '正文' });
    expect(await codeOf(s.store.getPost(s.editor, post.id))).toBe('not_found');
  });

  it('expires claims after the lease', async () => {
    let now = new Date('2026-11-23T08:00:00Z');
    const env = freshStore({ now: () => now, leaseMs: 10 * 60_000 });
    const editor = await env.mk('编辑', 'editor', ['人社官微']);
    const a = await env.mk('甲', 'reviewer');
    const b = await env.mk('乙', 'reviewer');
    const post = await env.store.submitPost(editor, { account: '人社官微', body: '正文' });
    const v = env.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ?').pluck().get(post.id) as number;
    env.store.applyMachineReview(v, result());
    const [task] = await env.store.listTasks(a, { limit: 5 });
    await env.store.claimTask(a, task!.id);
    expect((await env.store.listTasks(a, { state: 'claimed', limit: 5 })).map((t) => t.id)).toEqual([task!.id]);
    now = new Date(now.getTime() + 11 * 60_000);
    expect((await env.store.listTasks(a, { state: 'open', limit: 5 })).map((t) => t.id)).toEqual([task!.id]);
    expect((await env.store.claimTask(b, task!.id)).claimedBy).toBe(b.id);
  });
});

describe('database-level invariants', () => {
  it('refuses what the application would refuse, even through raw SQL', async () => {
    const s = await setup();
    const post = await s.store.submitPost(s.editor, { account: '人社官微', body: '正文' });
    const v = s.versionOf(post.id);
    s.store.applyMachineReview(v, result());
    const task = s.db.$client.prepare('SELECT id FROM review_tasks WHERE version_id = ?').pluck().get(v) as number;
    const sql = s.db.$client;
    expect(() => sql.prepare("UPDATE post_versions SET body = 'x' WHERE id = ?").run(v)).toThrow(/immutable/);
    expect(() => sql.prepare("INSERT INTO decisions (task_id, post_id, version_id, reviewer_id, decision) VALUES (?, ?, ?, ?, 'approve')").run(task, post.id, v, s.editor.id)).toThrow(/separation of duties/);
    expect(() => sql.prepare('INSERT INTO publications (post_id, version_id, published_by) VALUES (?, ?, ?)').run(post.id, v, s.editor.id)).toThrow(/required approvals/);
    expect(() => sql.prepare("UPDATE posts SET status = 'published' WHERE id = ?").run(post.id)).toThrow(/publication record/);
    sql.prepare("INSERT INTO decisions (task_id, post_id, version_id, reviewer_id, decision) VALUES (?, ?, ?, ?, 'approve')").run(task, post.id, v, s.a.id);
    expect(() => sql.prepare("INSERT INTO decisions (task_id, post_id, version_id, reviewer_id, decision) VALUES (?, ?, ?, ?, 'approve')").run(task, post.id, v, s.a.id)).toThrow(/UNIQUE/);
    // Approval present but the task is not done: still refused.
    expect(() => sql.prepare('INSERT INTO publications (post_id, version_id, published_by) VALUES (?, ?, ?)').run(post.id, v, s.editor.id)).toThrow(/required approvals/);
    expect(() => sql.prepare("UPDATE audit_log SET action = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => sql.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
  });
});
