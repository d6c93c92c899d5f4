import { createServer } from 'node:http';
import { falsePositiveRate } from '../../src/rules/stats.js';
import { describe, expect, it } from 'vitest';
import { codeOf, freshStore, result } from '../helpers/db.js';
import { WebhookDispatcher, verifySignature } from '../../src/webhooks/delivery.js';
import { DEFAULT_CLASSIFIER_THRESHOLDS } from '../../src/review/verdict.js';
import { waitFor } from '../helpers/http.js';
import type { Hit } from '../../src/review/types.js';


const hit = (over: Partial<Hit>): Hit => ({ field: 'body', start: 0, end: 2, text: '机密', rule: 'secret.marking', category: 'secret', gate: 'confidentiality', severity: 'critical', action: 'block', ...over });

async function setup() {
  const env = freshStore();
  const editor = await env.mk('编辑', 'editor', ['人社官微', '上海社保']);
  const a = await env.mk('甲', 'reviewer');
  const b = await env.mk('乙', 'reviewer');
  const comp = await env.mk('合规', 'compliance');
  const versionOf = (postId: string) =>
    env.db.$client.prepare('SELECT v.id FROM post_versions v JOIN posts p ON p.id = v.post_id AND p.current_version = v.version WHERE p.id = ?').pluck().get(postId) as number;
  const submit = async (account: string, body: string, r = result(), date?: string) => {
    const p = await env.store.submitPost(editor, { account, body, ...(date ? { date } : {}) });
    env.store.applyMachineReview(versionOf(p.id), r);
    return p.id;
  };
  return { ...env, editor, a, b, comp, submit, versionOf };
}

describe('review queue', () => {
  it('orders by risk, then by publication date, with counts and filters', async () => {
    const s = await setup();
    const low = await s.submit('人社官微', '普通稿件一', result(), '2026-12-05');
    const soon = await s.submit('上海社保', '普通稿件二', result(), '2026-12-01');
    const risky = await s.submit('人社官微', '台湾政府', result({ verdict: 'review', categories: ['political'], hits: [hit({ rule: 'political.taiwan', category: 'political', gate: 'political', severity: 'high', action: 'review' })] }), '2026-12-31');
    const secret = await s.submit('人社官微', '内部资料', result({ verdict: 'review', categories: ['secret'], hits: [hit({ action: 'review' })] }));
    const q = await s.store.queue(s.a);
    expect(q.items.map((i) => i.postId)).toEqual([risky, soon, low]);
    expect(q.counts).toMatchObject({ total: 3, high: 1, byAccount: { 人社官微: 2, 上海社保: 1 }, byCategory: { political: 1 } });
    // Confidentiality findings are for compliance.
    const qc = await s.store.queue(s.comp);
    expect(qc.items.map((i) => i.postId)).toContain(secret);
    expect((await s.store.queue(s.a, { account: '上海社保' })).items.map((i) => i.postId)).toEqual([soon]);
    expect((await s.store.queue(s.a, { category: 'political' })).items.map((i) => i.postId)).toEqual([risky]);
    expect((await s.store.queue(s.a, { risk: 'high' })).items.map((i) => i.postId)).toEqual([risky]);
    expect(await codeOf(s.store.queue(s.editor))).toBe('forbidden');
    // After A's first approval the item leaves A's queue but stays in B's.
    const t = q.items[0]!;
    await s.store.decide(s.a, t.id, { decision: 'approve' });
    expect((await s.store.queue(s.a)).items.map((i) => i.postId)).not.toContain(risky);
    expect((await s.store.queue(s.b)).items.map((i) => i.postId)).toContain(risky);
  });

  it('renews and releases claims', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '正文');
    const [task] = (await s.store.queue(s.a)).items;
    expect(await codeOf(s.store.renewClaim(s.a, task!.id))).toBe('conflict');
    const claimed = await s.store.claimTask(s.a, task!.id);
    const renewed = await s.store.renewClaim(s.a, task!.id);
    expect(renewed.leaseExpiresAt! >= claimed.leaseExpiresAt!).toBe(true);
    expect(await codeOf(s.store.renewClaim(s.b, task!.id))).toBe('conflict');
    await s.store.releaseClaim(s.a, task!.id);
    expect((await s.store.claimTask(s.b, task!.id)).claimedBy).toBe(s.b.id);
    void id;
  });

  it('lets only compliance override a machine block, with a reason, into two-approval review', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '机密文件', result({ verdict: 'block', categories: ['secret'], hits: [hit({})] }));
    expect((await s.store.getPost(s.editor, id)).status).toBe('changes_requested');
    expect(await codeOf(s.store.overrideBlock(s.a, id, '误报'))).toBe('forbidden');
    expect(await codeOf(s.store.overrideBlock(s.comp, id, '  '))).toBe('invalid');
    expect((await s.store.overrideBlock(s.comp, id, '“机密”为公开报道中的引用，经核实不涉密')).status).toBe('pending_review');
    const [task] = (await s.store.getPost(s.editor, id)).tasks;
    expect(task).toMatchObject({ requiredApprovals: 2, assignedRole: 'compliance' });
    // Whoever overrode the block does not also approve that version; another compliance officer may.
    await s.store.claimTask(s.comp, task!.id);
    expect(await codeOf(s.store.decide(s.comp, task!.id, { decision: 'approve' }))).toBe('forbidden');
    await s.store.releaseClaim(s.comp, task!.id);
    const comp2 = (await s.store.authenticate(s.store.addUser({ name: '合规二', role: 'compliance' }).token))!;
    await s.store.claimTask(comp2, task!.id);
    expect((await s.store.decide(comp2, task!.id, { decision: 'approve' })).status).toBe('pending_review');
    const other = await s.submit('人社官微', '普通稿件');
    expect(await codeOf(s.store.overrideBlock(s.comp, other, '理由'))).toBe('conflict');
  });

  it('records false-positive marks and reports per-rule statistics', async () => {
    const s = await setup();
    const p1 = await s.submit('人社官微', '最好的服务', result({ verdict: 'review', hits: [hit({ rule: 'ads.absolute', category: 'ads', gate: 'legal', severity: 'low', action: 'review' })] }));
    const p2 = await s.submit('人社官微', '最好的', result({ verdict: 'review', hits: [hit({ rule: 'ads.absolute', category: 'ads', gate: 'legal', severity: 'low', action: 'review' })] }));
    await s.store.markFinding(s.a, p1, 0, 'false_positive');
    await s.store.markFinding(s.b, p1, 0, 'false_positive');
    await s.store.markFinding(s.a, p2, 0, 'confirmed');
    await s.store.markFinding(s.a, p2, 0, 'false_positive'); // changes A's mind, not a second mark
    expect(await codeOf(s.store.markFinding(s.a, p2, 5, 'confirmed'))).toBe('invalid');
    expect(await codeOf(s.store.markFinding(s.editor, p2, 0, 'confirmed'))).toBe('forbidden');
    const stats = await s.store.ruleStats(s.comp);
    // Three marks are too few for a percentage; the counts are given as they are.
    expect(stats.find((r) => r.rule === 'ads.absolute')).toMatchObject({ hits: 2, posts: 2, falsePositives: 3, confirmed: 0, marks: 3, falsePositiveRate: null });
    expect([falsePositiveRate(1, 0), falsePositiveRate(4, 0), falsePositiveRate(4, 1), falsePositiveRate(1, 9)]).toEqual([null, null, 0.8, 0.1]);
    expect(await codeOf(s.store.ruleStats(s.a))).toBe('forbidden');
  });

  it('manages reason templates (compliance only)', async () => {
    const s = await setup();
    expect(await codeOf(s.store.addReasonTemplate(s.a, { decision: 'reject', text: 'x' }))).toBe('forbidden');
    const t = await s.store.addReasonTemplate(s.comp, { decision: 'request_changes', text: '请使用规范表述' });
    expect(await s.store.listReasonTemplates()).toEqual([t]);
    await s.store.disableReasonTemplate(s.comp, t.id);
    expect(await s.store.listReasonTemplates()).toEqual([]);
  });

  it('shows the diff between versions', async () => {
    const s = await setup();
    const id = await s.submit('人社官微', '台湾政府发布数据', result({ verdict: 'block' }));
    await s.store.resubmitPost(s.editor, id, { body: '台湾当局发布数据' });
    const d = await s.store.versionDiff(s.a, id, 1, 2);
    expect(d.body).toEqual([
      { op: 'equal', text: '台湾' },
      { op: 'delete', text: '政府' },
      { op: 'insert', text: '当局' },
      { op: 'equal', text: '发布数据' },
    ]);
    expect(await codeOf(s.store.versionDiff(s.a, id, 1, 3))).toBe('invalid');
  });
});

describe('webhooks', () => {
  it('delivers signed state changes of the configured account, and retries failures', async () => {
    const received: Array<{ body: string; headers: Record<string, string | string[] | undefined> }> = [];
    let failFirst = true;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(500).end();
          return;
        }
        received.push({ body, headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const s = await setup();
    const admin = await s.mk('管理员', 'admin');
    const { secret } = await s.store.addWebhook(admin, { account: '人社官微', url: `http://127.0.0.1:${port}/hook` });
    const dispatcher = new WebhookDispatcher(s.db, { pollMs: 50 });
    try {
      await s.submit('人社官微', '正文'); // submitted, then pending_review
      await s.submit('上海社保', '不相关账号');
      // The first delivery fails once, is retried after its backoff.
      s.db.$client.prepare("UPDATE webhook_deliveries SET available_at = '2000-01-01T00:00:00.000Z' WHERE state = 'pending'").run();
      await waitFor(async () => {
        s.db.$client.prepare("UPDATE webhook_deliveries SET available_at = '2000-01-01T00:00:00.000Z' WHERE state = 'pending'").run();
        return received.length >= 2 && s.db.$client.prepare("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'").pluck().get() === 2;
      }, 20_000, 'two deliveries');
      // Deliveries may arrive out of order (the first was retried); the delivery id orders them.
      const events = [...received].sort((x, y) => Number(x.headers['x-lastgate-delivery']) - Number(y.headers['x-lastgate-delivery'])).map((r) => JSON.parse(r.body));
      expect(events.map((e) => [e.from, e.to])).toEqual([
        [null, 'submitted'],
        ['submitted', 'pending_review'],
      ]);
      expect(events.every((e) => e.account === '人社官微')).toBe(true);
      for (const r of received) {
        expect(verifySignature(secret, String(r.headers['x-lastgate-timestamp']), r.body, String(r.headers['x-lastgate-signature']))).toBe(true);
        expect(verifySignature('wrong-secret', String(r.headers['x-lastgate-timestamp']), r.body, String(r.headers['x-lastgate-signature']))).toBe(false);
      }
      const attempts = s.db.$client.prepare('SELECT max(attempts) FROM webhook_deliveries').pluck().get();
      expect(attempts).toBe(2);
    } finally {
      await dispatcher.close();
      server.close();
    }
  });
});

describe('classifier thresholds', () => {
  it('layers configuration and compliance changes over the shipped defaults, audited', async () => {
    const env = freshStore({ thresholds: { ads: { review: 0.8 } } });
    const comp = await env.mk('合规', 'compliance');
    const a = await env.mk('甲', 'reviewer');
    expect(env.store.verdictPolicy().classifier.ads).toEqual({ review: 0.8, block: null });
    expect(env.store.verdictPolicy().classifier.secret).toEqual(DEFAULT_CLASSIFIER_THRESHOLDS.secret);
    expect(await codeOf(env.store.setClassifierThresholds(a, { ads: { review: 0.9 } }))).toBe('forbidden');
    await env.store.setClassifierThresholds(comp, { secret: { block: null } });
    await env.store.setClassifierThresholds(comp, { secret: { review: 0.6 } });
    expect(env.store.verdictPolicy().classifier.secret).toEqual({ review: 0.6, block: null });
    expect(env.store.verdictPolicy().classifier.ads).toEqual({ review: 0.8, block: null });
    expect(env.db.$client.prepare(`SELECT count(*) FROM audit_log WHERE action = 'settings.classifier_thresholds'`).pluck().get()).toBe(2);
  });
});
