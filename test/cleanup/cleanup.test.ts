/**
 * Cleanup runs on a real SQLite file: policy citations, passed deadlines, link
 * checks against a local HTTP server, decisions, no duplicates, and resuming a
 * crashed run without redoing finished batches.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../helpers/db.js';
import { publishThrough } from '../helpers/publish.js';
import { CleanupService } from '../../src/cleanup/service.js';
import type { RescanDispatcher } from '../../src/cleanup/runs.js';
import { LinkChecker } from '../../src/cleanup/links.js';
import type { RescanBatchJobData } from '../../src/queue/job.js';
import { DomainError } from '../../src/store/errors.js';

async function env() {
  const s = freshStore();
  const editor = await s.mk('编辑', 'editor', ['人社官微', '上海社保']);
  const reviewer = await s.mk('审核员', 'reviewer');
  const comp = await s.mk('合规', 'compliance');
  const publish = (body: string, title?: string, account = '人社官微') => publishThrough(s.store, editor, reviewer, { account, body, ...(title ? { title } : {}) });
  return { ...s, editor, reviewer, comp, publish };
}

async function runChecks(cleanup: CleanupService, checks: Array<'policy' | 'deadline' | 'links'>, asOf = '2026-11-23') {
  const run = cleanup.startRun({ trigger: 'test', checks, asOf });
  await cleanup.waitIdle(30_000);
  return cleanup.run(run.id);
}

describe('policy registry cleanup', () => {
  it('a policy set to 已废止 opens one task for every post citing it and none for others; fixing it closes them', async () => {
    const e = await env();
    const cleanup = new CleanupService(e.db, { batchSize: 2 });
    const byDocNo = await e.publish('根据沪人社规〔2023〕12号，调整本市职工基本养老金。');
    const byTitle = await e.publish('依照《关于调整本市职工基本养老金的通知》执行。', '养老金调整解读');
    const bracketVariant = await e.publish('详见沪人社规[2023]12号文件。', undefined, '上海社保');
    const other = await e.publish('根据沪人社规〔2024〕1号，做好就业服务。');
    const unrelated = await e.publish('本周六举办招聘会。');
    const { policy } = await e.store.addPolicy(e.comp, { docNo: '沪人社规〔2023〕12号', title: '关于调整本市职工基本养老金的通知', status: 'effective' });
    await e.store.addPolicy(e.comp, { docNo: '沪人社规〔2024〕1号', title: '关于做好就业服务的通知', status: 'effective' });
    expect((await runChecks(cleanup, ['policy'])).opened).toBe(0);

    const preview = await e.store.previewPolicyChange(e.comp, { id: policy.id, status: 'repealed' });
    expect(preview.wouldFlag).toBe(3);
    expect(preview.posts.map((p) => p.postId).sort()).toEqual([byDocNo, byTitle, bracketVariant].sort());

    await e.store.updatePolicy(e.comp, policy.id, { status: 'repealed', replacedBy: '沪人社规〔2025〕8号' });
    const run = await runChecks(cleanup, ['policy']);
    expect(run).toMatchObject({ state: 'done', opened: 3, percent: 100, totalBatches: 3 });
    const tasks = await e.store.listCleanupTasks(e.comp, { kind: 'policy', limit: 100 });
    expect(tasks.map((t) => t.postId).sort()).toEqual([byDocNo, byTitle, bracketVariant].sort());
    expect(tasks.every((t) => t.recommendedAction === 'annotate' && t.state === 'open')).toBe(true);
    expect(tasks[0]!.detail).toMatchObject({ status: 'repealed', note: '本文件已废止，请参见沪人社规〔2025〕8号' });
    for (const id of [other, unrelated]) expect(await e.store.listCleanupTasks(e.comp, { postId: id, limit: 10 })).toEqual([]);

    // Scanning again creates no duplicates.
    expect((await runChecks(cleanup, ['policy'])).opened).toBe(0);
    expect(await e.store.listCleanupTasks(e.comp, { kind: 'policy', limit: 100 })).toHaveLength(3);

    // Amended instead: the recommendation becomes update; back to effective: tasks close.
    await e.store.updatePolicy(e.comp, policy.id, { status: 'effective' });
    expect((await runChecks(cleanup, ['policy'])).closed).toBe(3);
    expect((await e.store.listCleanupTasks(e.comp, { state: 'open', limit: 100 })).length).toBe(0);
  });

  it('decisions are audited; withdraw and annotate move the post; decided tasks do not reopen', async () => {
    const e = await env();
    const cleanup = new CleanupService(e.db);
    const a = await e.publish('根据沪人社规〔2023〕12号执行。');
    const b = await e.publish('依照沪人社规〔2023〕12号办理。');
    await e.store.addPolicy(e.comp, { docNo: '沪人社规〔2023〕12号', title: '旧文件', status: 'repealed' });
    await runChecks(cleanup, ['policy']);
    const [ta] = await e.store.listCleanupTasks(e.comp, { postId: a, limit: 5 });
    const [tb] = await e.store.listCleanupTasks(e.comp, { postId: b, limit: 5 });
    await expect(e.store.decideCleanupTask(e.reviewer, ta!.id, { action: 'withdraw', reason: 'x' })).rejects.toBeInstanceOf(DomainError);
    await expect(e.store.decideCleanupTask(e.comp, ta!.id, { action: 'withdraw' })).rejects.toThrow(/reason/);
    expect(await e.store.decideCleanupTask(e.comp, ta!.id, { action: 'withdraw', reason: '政策已废止，撤回原文' })).toMatchObject({ postStatus: 'withdrawn' });
    expect(await e.store.decideCleanupTask(e.editor, tb!.id, { action: 'annotate', reason: '已在原文加注“本文件已废止”' })).toMatchObject({ postStatus: 'annotated' });
    await expect(e.store.decideCleanupTask(e.comp, tb!.id, { action: 'keep', reason: 'x' })).rejects.toThrow(/decided/);
    expect((await runChecks(cleanup, ['policy'])).opened).toBe(0);
    const audit = e.db.$client.prepare(`SELECT action FROM audit_log WHERE action LIKE 'cleanup.%' ORDER BY seq`).pluck().all();
    expect(audit).toEqual(['cleanup.run', 'cleanup.withdraw', 'cleanup.annotate', 'cleanup.run']);
  });
});

describe('deadlines', () => {
  it('opens a task once the deadline has passed (fake clock), not before', async () => {
    const e = await env();
    const cleanup = new CleanupService(e.db);
    const id = await e.publish('2026年职业技能竞赛报名截止时间为2026年12月1日，逾期不予受理。');
    await e.publish('本周六举办招聘会。');
    expect((await runChecks(cleanup, ['deadline'], '2026-12-01')).opened).toBe(0);
    expect((await runChecks(cleanup, ['deadline'], '2026-12-02')).opened).toBe(1);
    const [t] = await e.store.listCleanupTasks(e.comp, { kind: 'deadline', limit: 5 });
    expect(t).toMatchObject({ postId: id, recommendedAction: 'annotate', detail: { date: '2026-12-01' } });
    expect((await runChecks(cleanup, ['deadline'], '2026-12-03')).opened).toBe(0);
  });
});

describe('link checks', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200).end('ok');
      else if (req.url === '/missing') res.writeHead(404).end();
      else if (req.url === '/error') res.writeHead(500).end();
      else if (req.url === '/moved') res.writeHead(301, { location: '/ok' }).end();
      else if (req.url === '/away') res.writeHead(302, { location: 'http://elsewhere.example/landing' }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 3000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.closeAllConnections?.() ?? server.close());

  it('flags 404, 500, timeouts, DNS failures and redirects to another site; follows same-site redirects', async () => {
    const e = await env();
    e.db.$client.prepare('INSERT INTO link_allowlist (domain) VALUES (?)').run('127.0.0.1');
    // The test server is on loopback, which link checks refuse unless an administrator allow-lists it.
    const cleanup = new CleanupService(e.db, { linkChecker: new LinkChecker({ timeoutMs: 500, perHostMs: 0, allowInternal: ['127.0.0.1'] }) });
    const urls = ['ok', 'missing', 'error', 'moved', 'away', 'slow'].map((p) => `${base}/${p}`);
    const id = await e.publish(`相关链接：${urls.join(' ')} 以及 http://no-such-host.invalid/page 和 https://example.com/news 。`);
    const run = await runChecks(cleanup, ['links']);
    expect(run.state).toBe('done');
    const tasks = await e.store.listCleanupTasks(e.comp, { postId: id, limit: 50 });
    const broken = Object.fromEntries(tasks.filter((t) => t.kind === 'link_broken').map((t) => [t.key, t.detail.kind]));
    expect(broken).toEqual({
      [`${base}/missing`]: 'http_error',
      [`${base}/error`]: 'http_error',
      [`${base}/away`]: 'redirect_offsite',
      [`${base}/slow`]: 'timeout',
      'http://no-such-host.invalid/page': 'dns',
      'https://example.com/news': expect.stringMatching(/dns|unreachable/),
    });
    const foreign = tasks.filter((t) => t.kind === 'link_foreign').map((t) => t.key).sort();
    expect(foreign).toEqual(['http://no-such-host.invalid/page', 'https://example.com/news']);
    expect(tasks.every((t) => t.recommendedAction === 'update')).toBe(true);
  });

  it('reports a link to an internal address as a task without requesting it', async () => {
    const e = await env();
    let requests = 0;
    server.prependListener('request', () => requests++);
    const cleanup = new CleanupService(e.db, { linkChecker: new LinkChecker({ timeoutMs: 500, perHostMs: 0 }) });
    const id = await e.publish(`内部系统：${base}/ok 。`);
    await runChecks(cleanup, ['links']);
    const tasks = await e.store.listCleanupTasks(e.comp, { postId: id, kind: 'link_broken', limit: 5 });
    expect(tasks.map((t) => t.detail)).toEqual([expect.objectContaining({ kind: 'blocked_address', address: '127.0.0.1', note: '链接指向本机回环地址（127.0.0.1），出于安全未访问，请人工核实' })]);
    expect(requests).toBe(0);
  });
});

describe('resuming a crashed run', () => {
  it('goes on from the last finished batch without redoing it', async () => {
    const e = await env();
    for (let i = 0; i < 5; i++) await e.publish(`第${i}篇已发布稿件，根据沪人社规〔2023〕12号。`);
    await e.store.addPolicy(e.comp, { docNo: '沪人社规〔2023〕12号', title: '旧文件', status: 'repealed' });
    // First process: finishes batch 0, then "crashes" with the other batches in flight.
    const seenA: number[] = [];
    const a = new CleanupService(e.db, { batchSize: 2, inFlight: 3 });
    const hang: RescanDispatcher = {
      dispatch: async (job: RescanBatchJobData) => {
        seenA.push(job.seq);
        if (job.seq === 0) await a.applyBatch(job.runId, job.seq, { runId: job.runId, seq: job.seq, results: [], durationMs: 0 });
        else await new Promise(() => {});
      },
    };
    a.setDispatcher(hang);
    const run = a.startRun({ trigger: 'test', checks: ['rescan', 'policy'], asOf: '2026-11-23' });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.run(run.id)).toMatchObject({ doneBatches: 1, totalBatches: 3, state: 'running', percent: 33 });
    expect(seenA.sort()).toEqual([0, 1, 2]);

    // Second process over the same database.
    const seenB: number[] = [];
    const b = new CleanupService(e.db, { batchSize: 2 });
    b.setDispatcher({
      dispatch: async (job) => {
        seenB.push(job.seq);
        await b.applyBatch(job.runId, job.seq, { runId: job.runId, seq: job.seq, results: [], durationMs: 0 });
      },
    });
    await b.pump();
    await b.waitIdle(10_000);
    expect(seenB.sort()).toEqual([1, 2]);
    expect(b.run(run.id)).toMatchObject({ state: 'done', doneBatches: 3, opened: 5, percent: 100 });
    expect(await e.store.listCleanupTasks(e.comp, { kind: 'policy', limit: 50 })).toHaveLength(5);
  });
});
