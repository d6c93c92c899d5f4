/**
 * The HTTP app itself (createApp) on the async store, async cleanup and async
 * rules, over sqlite-proxy (each statement answered on a later turn of the
 * event loop, as D1 answers): real requests through `app.request`, the machine
 * review fed from the outbox as a Worker would (programs run by runAsync), a
 * cleanup run handed out with processPending, a rule created through the
 * compliance API, and the audit chain checked on both drivers.
 */
import { uiSession } from '../helpers/http.js';
import { describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { createApp } from '../../src/http/app.js';
import { auditLog, linkAllowlist } from '../../src/db/schema.js';
import { asyncStore, type AsyncStore } from '../../src/service/async.js';
import { asyncCleanup, type AsyncCleanup } from '../../src/cleanup/service.js';
import { DEFAULT_ALLOWLIST, type RescanDispatcher } from '../../src/cleanup/runs.js';
import { asyncRules, rulesOverlay$, type AsyncRules } from '../../src/rules/admin.js';
import { programDb, runAsync, type Program } from '../../src/store/program.js';
import type { CleanupApi } from '../../src/cleanup/service.js';
import type { RulesApi } from '../../src/rules/admin.js';
import type { Store } from '../../src/service/programs.js';
import { duePending$, markDispatched$, outboxCounts$ } from '../../src/queue/outbox.js';
import { processRescanBatchJob } from '../../src/queue/job.js';
import { reviewPost } from '../../src/review/processor.js';
import { createRuleEngine, defaultRulesDir } from '../../src/rules/engine.js';
import { loadPackDir } from '../../src/rules/pack.js';
import { applyOverlay, EMPTY_OVERLAY, type RulesOverlay } from '../../src/rules/overlay.js';
import { verifyAudit, verifyAudit$ } from '../../src/audit/log.js';
import { Ticker, type TickCleanup, type TickStore } from '../../src/schedule/ticker.js';
import { asyncDb } from '../helpers/async-db.js';

/** Checked by tsc: every dependency of the app (and of the tick) is served by the async implementations. */
type AssertTrue<T extends true> = T;
export type AsyncDepsServeTheApp = AssertTrue<AsyncStore extends Store ? (AsyncCleanup extends CleanupApi ? (AsyncRules extends RulesApi ? true : false) : false) : false>;
export type AsyncDepsServeTheTick = AssertTrue<AsyncStore extends TickStore ? (AsyncCleanup extends TickCleanup ? true : false) : false>;

const packs = loadPackDir(defaultRulesDir());
/** The rule engine of the packs with the compliance API's rules laid over them, as a worker builds it. */
const engineFor = (overlay: RulesOverlay = EMPTY_OVERLAY) => createRuleEngine(applyOverlay(packs, overlay));

const newRule = { id: 'wording.test-jobs-data', category: 'wording', severity: 'low', action: 'review', message: '请核实数据来源', terms: ['就业数据'] };

describe.each([{ batch: false }, { batch: true }])('the HTTP app on the async store, cleanup and rules (sqlite-proxy, %o)', ({ batch }) => {
  it('submit → machine review from the outbox → claim → approve ×2 → publish → cleanup run → rule via the API, with a valid audit chain', async () => {
    const { db, proxy, stats } = asyncDb();
    const pdb = programDb(proxy);
    const run = <T,>(p: Program<T>) => runAsync(p, batch ? { batch: proxy } : {});
    const store = asyncStore(proxy, { batch });
    const rules = asyncRules(proxy, { filePacks: () => packs, batch });
    const cleanup = asyncCleanup(proxy, { batch, batchSize: 1, rulesOverlay: () => rulesOverlay$(pdb) });
    const app = createApp({ store, cleanup, rules });

    const tokens: Record<string, string> = {};
    for (const [who, role, accounts] of [
      ['editor', 'editor', ['人社官微']],
      ['reviewerA', 'reviewer', []],
      ['reviewerB', 'reviewer', []],
      ['compliance', 'compliance', []],
    ] as const) {
      tokens[who] = (await store.addUser({ name: who, role, accounts: [...accounts] })).token;
    }
    const call = async (who: string, method: string, path: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const statementsBefore = stats.statements;

    expect(await call('editor', 'GET', '/api/me')).toMatchObject({ status: 200, body: { name: 'editor', role: 'editor', accountIds: [expect.any(Number)] } });
    expect((await app.request('/api/me', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);

    // Submit.
    const submitted = await call('editor', 'POST', '/api/posts', { account: '人社官微', title: '就业情况', body: '据报道，台湾政府近日发布了新的就业数据。', date: '2026-11-23' });
    expect(submitted).toMatchObject({ status: 201, body: { status: 'submitted', version: 1 } });
    const postId: string = submitted.body.id;

    // Machine review as a Worker's queue consumer would do it: read the outbox, mark it dispatched, review, apply.
    const due = await run(duePending$(pdb, 10));
    expect(due).toHaveLength(1);
    await run(markDispatched$(pdb, due.map((r) => r.id)));
    expect(await run(outboxCounts$(pdb))).toEqual({ dispatched: 1 });
    const versionId = due[0]!.versionId;
    const input = (await store.reviewInput(versionId))!;
    const result = await reviewPost(input, { rules: engineFor(await run(rulesOverlay$(pdb))), policy: await store.verdictPolicy() });
    expect(result.categories).toContain('political');
    const politicalRule = result.hits.find((h) => h.category === 'political')!.rule;
    await store.applyMachineReview(versionId, result);
    expect(await run(outboxCounts$(pdb))).toEqual({ done: 1 });

    const reviewed = await call('editor', 'GET', `/api/posts/${postId}`);
    expect(reviewed).toMatchObject({ status: 200, body: { status: 'pending_review', machineReview: { verdict: 'review', rulesVersion: result.rulesVersion } } });
    expect((await call('editor', 'POST', `/api/posts/${postId}/publish`)).status).toBe(409);

    // Two different reviewers approve.
    const tasks = await call('reviewerA', 'GET', `/api/review/tasks?postId=${postId}`);
    expect(tasks.status).toBe(200);
    const task = tasks.body.tasks[0];
    expect(task).toMatchObject({ postId, state: 'open', requiredApprovals: 2, approvals: 0 });
    expect((await call('reviewerA', 'GET', '/api/review/queue')).body.items.map((i: { postId: string }) => i.postId)).toEqual([postId]);
    expect(await call('reviewerA', 'POST', `/api/review/tasks/${task.id}/claim`)).toMatchObject({ status: 200, body: { state: 'claimed' } });
    expect((await call('reviewerB', 'POST', `/api/review/tasks/${task.id}/claim`)).status).toBe(409);
    expect(await call('reviewerA', 'POST', `/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).toMatchObject({ status: 200, body: { status: 'pending_review', task: { approvals: 1 } } });
    expect((await call('reviewerA', 'POST', `/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).status).toBe(409);
    expect((await call('reviewerB', 'POST', `/api/review/tasks/${task.id}/claim`)).status).toBe(200);
    expect(await call('reviewerB', 'POST', `/api/review/tasks/${task.id}/decision`, { decision: 'approve' })).toMatchObject({ status: 200, body: { status: 'approved', task: { state: 'done', approvals: 2 } } });

    // Publish.
    expect((await call('reviewerA', 'POST', `/api/posts/${postId}/publish`)).status).toBe(403);
    const pub = await call('editor', 'POST', `/api/posts/${postId}/publish`, { url: 'https://mp.weixin.qq.com/s/abc' });
    expect(pub).toMatchObject({ status: 200, body: { status: 'published', url: 'https://mp.weixin.qq.com/s/abc', publicationId: expect.any(Number) } });

    // The members that used to be synchronous answer with their values, not with a Promise serialised as {}.
    const fresh = await call('editor', 'GET', '/api/accounts/freshness?date=2026-11-24');
    expect(fresh.status).toBe(200);
    expect(fresh.body.accounts.find((a: { account: string }) => a.account === '人社官微')).toMatchObject({ lastPublishedAt: expect.any(String), level: 'ok' });
    expect(await call('compliance', 'GET', '/api/policies')).toEqual({ status: 200, body: { policies: [] } });
    const thresholds = await call('compliance', 'GET', '/api/settings/classifier-thresholds');
    expect(thresholds.status).toBe(200);
    expect(Object.keys(thresholds.body.thresholds)).toContain('political');

    // A cleanup run through the API, handed out as a Cron Trigger would: rescan jobs through a dispatcher running the shared processor.
    const dispatched: number[] = [];
    const dispatcher: RescanDispatcher = {
      async dispatch(job) {
        dispatched.push(job.runId);
        const r = await processRescanBatchJob(job, { rules: engineFor(job.rules) });
        await cleanup.applyBatch(r.runId, r.seq, r);
      },
    };
    const started = await call('compliance', 'POST', '/api/cleanup/run', { checks: ['rescan', 'policy', 'deadline'], asOf: '2026-11-24' });
    expect(started).toMatchObject({ status: 202, body: { id: expect.any(Number), state: 'running', totalPosts: 1, totalBatches: 1, percent: 0 } });
    expect((await call('editor', 'POST', '/api/cleanup/run', {})).status).toBe(403);
    expect(await cleanup.processPending(dispatcher)).toBe(1);
    expect(await cleanup.processPending(dispatcher)).toBe(0);
    expect(dispatched).toEqual([started.body.id]);
    expect(await call('compliance', 'GET', `/api/cleanup/runs/${started.body.id}`)).toMatchObject({ status: 200, body: { state: 'done', percent: 100, doneBatches: 1, opened: 1 } });
    const cleanupTasks = await call('editor', 'GET', `/api/cleanup/tasks?postId=${postId}`);
    expect(cleanupTasks.body.tasks.map((t: { kind: string; detail: { rule: string } }) => [t.kind, t.detail.rule])).toEqual([['rescan', politicalRule]]);

    // A rule through the compliance API; the re-scan it starts carries it to the processor (overlay read through the async database).
    expect((await call('reviewerA', 'POST', '/api/rules', newRule)).status).toBe(403);
    const created = await call('compliance', 'POST', '/api/rules', newRule);
    expect(created).toMatchObject({ status: 201, body: { id: newRule.id, source: 'api', enabled: true, revision: 1, cleanupRun: expect.any(Number) } });
    expect((await call('compliance', 'POST', '/api/rules', newRule)).status).toBe(409);
    expect(await call('compliance', 'GET', `/api/rules/${newRule.id}`)).toMatchObject({ status: 200, body: { id: newRule.id, source: 'api' } });
    expect((await call('compliance', 'GET', '/api/rules')).body.rules.filter((r: { source: string }) => r.source === 'file').length).toBeGreaterThan(10);
    expect((await call('compliance', 'GET', `/api/rules/${newRule.id}/history`)).body.history).toEqual([expect.objectContaining({ ruleId: newRule.id, action: 'create', revision: 1 })]);
    const dry = await call('compliance', 'POST', '/api/rules/dry-run', { rule: newRule });
    expect(dry).toMatchObject({ status: 200, body: { scanned: 1, matchedPosts: 1, hits: 1 } });
    expect(await cleanup.processPending(dispatcher)).toBe(1);
    expect(await call('compliance', 'GET', `/api/cleanup/runs/${created.body.cleanupRun}`)).toMatchObject({ status: 200, body: { trigger: 'rules_change', state: 'done', opened: 1 } });
    const afterRule = await call('editor', 'GET', `/api/cleanup/tasks?postId=${postId}&kind=rescan`);
    expect(afterRule.body.tasks.map((t: { detail: { rule: string } }) => t.detail.rule).sort()).toEqual([politicalRule, newRule.id].sort());
    expect((await call('compliance', 'GET', '/api/cleanup/runs')).body.runs.map((r: { id: number }) => r.id)).toEqual([created.body.cleanupRun, started.body.id]);

    // The reviewer UI's cleanup page awaits the same members.
    const page = await app.request('/ui/cleanup', { headers: { cookie: await uiSession((p, init) => app.request(p, init), tokens.compliance) } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('人社官微');
    expect(html).toContain(`#${started.body.id}（api，基准日 2026-11-24）：已完成`);

    // The daily tick on the same async dependencies starts the scheduled scan once.
    const ticker = new Ticker(store, cleanup, () => new Date('2026-11-24T01:00:00Z'));
    expect(await ticker.tick()).toMatchObject({ published: [], alerts: 0, cleanupRun: expect.any(Number) });
    const scheduled = (await call('compliance', 'GET', '/api/cleanup/runs')).body.runs[0];
    expect(scheduled).toMatchObject({ trigger: 'schedule', asOf: '2026-11-24', state: 'running' });
    expect((await ticker.tick()).cleanupRun).toBeNull();
    // Without a dispatcher the batches are checked in place, without the rescan check.
    expect(await cleanup.processPending()).toBe(1);
    expect(await call('compliance', 'GET', `/api/cleanup/runs/${scheduled.id}`)).toMatchObject({ status: 200, body: { state: 'done', percent: 100, opened: 0, closed: 0 } });
    expect(dispatched).toHaveLength(2);
    // The async cleanup seeded the link allowlist on first use, as CleanupService's constructor does.
    expect((await proxy.select().from(linkAllowlist).all()).map((r) => r.domain)).toEqual(expect.arrayContaining(DEFAULT_ALLOWLIST));

    // The audit chain, through the async driver and as the synchronous path reads the same rows.
    const actions = (await proxy.select({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.seq)).all()).map((r) => r.action);
    expect(actions).toEqual([
      'user.add',
      'user.add',
      'user.add',
      'user.add',
      'post.submit',
      'post.machine_review',
      'task.claim',
      'task.approve',
      'task.claim',
      'task.approve',
      'post.publish',
      'cleanup.run',
      'rule.create',
      'cleanup.run',
      'session.start',
      'cleanup.run',
    ]);
    expect(await run(verifyAudit$(pdb))).toEqual({ ok: true, rows: actions.length });
    expect(verifyAudit(db)).toEqual({ ok: true, rows: actions.length });
    // Everything above went through the async driver.
    expect(stats.statements - statementsBefore).toBeGreaterThan(100);
    if (batch) expect(stats.roundTrips).toBeLessThan(stats.statements);
    else expect(stats.roundTrips).toBe(stats.statements);
  });
});
