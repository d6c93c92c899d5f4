/**
 * The store's programs on an asynchronous drizzle driver: sqlite-proxy over
 * better-sqlite3, each statement answered on a later turn of the event loop
 * (as D1 answers), so nothing can pass by running synchronously.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditLog, postVersions, publications, posts } from '../../src/db/schema.js';
import { asyncStore, type AsyncStore } from '../../src/service/async.js';
import type { Store } from '../../src/service/programs.js';
import { afterCommit, all, get, programDb, rows, run, runAsync, runSync } from '../../src/store/program.js';
import { appendAudit, appendAudit$, verifyAudit, verifyAudit$ } from '../../src/audit/log.js';
import { duePending$, markDispatched$, openCount$, outboxCounts$, recordFailure$, requeue$, staleDispatched$ } from '../../src/queue/outbox.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { codeOf, result } from '../helpers/db.js';
import { asyncDb } from '../helpers/async-db.js';

/** Checked by tsc: the async store offers the HTTP app's whole Store contract, and the Node store still does too. */
type AssertTrue<T extends true> = T;
export type AsyncStoreServesTheApp = AssertTrue<AsyncStore extends Store ? true : false>;
export type SqliteStoreServesTheApp = AssertTrue<SqliteStore extends Store ? true : false>;

const politicalHit = { field: 'body' as const, start: 0, end: 4, text: '台湾政府', rule: 'political.taiwan', category: 'political' as const, gate: 'political' as const, severity: 'high' as const, action: 'review' as const, suggestion: '台湾当局' };

/**
 * The database's message for a failed statement. Async drivers wrap it in
 * drizzle's DrizzleQueryError ("Failed query: ...") with the driver error as cause.
 */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return e.cause?.message ?? e.message;
  }
  throw new Error('expected a failure');
}

describe.each([{ batch: false }, { batch: true }])('store programs on an async driver (sqlite-proxy, %o)', ({ batch }) => {
  it('runs submit → machine review → claim → two approvals → publish, with a valid audit chain', async () => {
    const { db, proxy, stats } = asyncDb();
    const hooks = { outbox: 0, webhook: 0 };
    const store = asyncStore(proxy, { batch, onOutbox: () => hooks.outbox++, onWebhook: () => hooks.webhook++ });
    const mk = async (name: string, role: 'editor' | 'reviewer' | 'compliance', accounts: string[] = []) => (await store.authenticate((await store.addUser({ name, role, accounts })).token))!;
    const editor = await mk('张编辑', 'editor', ['人社官微']);
    const a = await mk('审核员甲', 'reviewer');
    const b = await mk('审核员乙', 'reviewer');
    expect(editor.accountIds).toHaveLength(1);

    const post = await store.submitPost(editor, { account: '人社官微', title: '通知', body: '台湾政府宣布' });
    expect(post).toMatchObject({ status: 'submitted', version: 1 });
    expect(hooks.outbox).toBe(1);
    const version = (await proxy.select().from(postVersions).where(eq(postVersions.postId, post.id)).get())!;
    expect(await store.reviewInput(version.id)).toMatchObject({ id: post.id, body: '台湾政府宣布', account: '人社官微' });

    await store.applyMachineReview(version.id, result({ verdict: 'review', categories: ['political'], hits: [politicalHit] }));
    await store.applyMachineReview(version.id, result({ verdict: 'pass' })); // a duplicate job changes nothing
    const [task] = await store.listTasks(a, { postId: post.id, limit: 10 });
    expect(task).toMatchObject({ requiredApprovals: 2, state: 'open', approvals: 0, version: 1 });
    const queue = await store.queue(a);
    expect(queue.items.map((i) => i.postId)).toEqual([post.id]);
    expect(queue.counts).toMatchObject({ total: 1, high: 1, byCategory: { political: 1 } });

    expect(await store.claimTask(a, task!.id)).toMatchObject({ state: 'claimed', claimedBy: a.id });
    expect(await codeOf(store.claimTask(b, task!.id))).toBe('conflict');
    expect((await store.decide(a, task!.id, { decision: 'approve' })).status).toBe('pending_review');
    expect(await codeOf(store.decide(a, task!.id, { decision: 'approve' }))).toBe('conflict');
    await store.claimTask(b, task!.id);
    const second = await store.decide(b, task!.id, { decision: 'approve' });
    expect(second).toMatchObject({ status: 'approved', task: { state: 'done', approvals: 2 } });

    const pub = await store.publish(editor, post.id, { url: 'https://mp.weixin.qq.com/s/x' });
    expect(pub).toMatchObject({ status: 'published', url: 'https://mp.weixin.qq.com/s/x' });
    const view = await store.getPost(editor, post.id);
    expect(view.status).toBe('published');
    expect(view.reviews.map((r) => [r.reviewerName, r.decision])).toEqual([
      ['审核员甲', 'approve'],
      ['审核员乙', 'approve'],
    ]);
    expect(view.publications).toEqual([expect.objectContaining({ version: 1, url: 'https://mp.weixin.qq.com/s/x' })]);
    expect(view.machineReview).toMatchObject({ verdict: 'review', categories: ['political'] });
    expect((await store.listPosts(editor)).map((p) => [p.id, p.status, p.categories])).toEqual([[post.id, 'published', ['political']]]);
    expect(hooks.webhook).toBeGreaterThan(0);

    const actions = (await proxy.select({ action: auditLog.action }).from(auditLog).orderBy(auditLog.seq).all()).map((r) => r.action);
    expect(actions).toEqual(['user.add', 'user.add', 'user.add', 'post.submit', 'post.machine_review', 'task.claim', 'task.approve', 'task.claim', 'task.approve', 'post.publish']);
    expect(await runAsync(verifyAudit$(programDb(proxy)))).toEqual({ ok: true, rows: 10 });
    // The same rows as the synchronous path sees them.
    expect(verifyAudit(db)).toEqual({ ok: true, rows: 10 });
    expect(await new SqliteStore(db).getPost(editor, post.id)).toEqual(view);
    expect(stats.statements).toBeGreaterThan(50);
    if (batch) expect(stats.roundTrips).toBeLessThan(stats.statements);
    else expect(stats.roundTrips).toBe(stats.statements);
  });
});

describe('store programs on an async driver (sqlite-proxy)', () => {

  it('rejects what the triggers forbid, and verifying finds a broken chain', async () => {
    const { proxy } = asyncDb();
    const store = asyncStore(proxy);
    const editor = (await store.authenticate((await store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] })).token))!;
    const post = await store.submitPost(editor, { account: '人社官微', body: '欢迎拨打12333咨询。' });
    const version = (await proxy.select().from(postVersions).where(eq(postVersions.postId, post.id)).get())!;
    const pdb = programDb(proxy);

    expect(await failure(runAsync(run(pdb.update(postVersions).set({ body: 'changed' }).where(eq(postVersions.id, version.id)))))).toBe('post versions are immutable');
    expect(await failure(runAsync(run(pdb.delete(auditLog))))).toBe('the audit log is append-only');
    // Publishing without approvals is refused by the database itself.
    const { accountId } = (await proxy.select().from(posts).where(eq(posts.id, post.id)).get())!;
    const publishUnapproved = run(pdb.insert(publications).values({ postId: post.id, versionId: version.id, accountId, publishedBy: editor.id, platform: null, url: null, publishedAt: new Date().toISOString() }));
    expect(await failure(runAsync(publishUnapproved))).toBe('publication requires the required approvals of this exact, current version');
    expect(await proxy.select().from(publications).all()).toEqual([]);

    expect(await runAsync(verifyAudit$(pdb))).toEqual({ ok: true, rows: 2 });
    // With the trigger out of the way, an edited row breaks the chain at that row.
    await proxy.run(sql`DROP TRIGGER audit_log_append_only`);
    await proxy.update(auditLog).set({ action: 'post.other' }).where(eq(auditLog.seq, 2)).run();
    expect(await runAsync(verifyAudit$(pdb))).toMatchObject({ ok: false, badSeq: 2 });
  });

  it('stops at the first failure; earlier statements stay written (no transaction), as documented', async () => {
    const { proxy } = asyncDb();
    const pdb = programDb(proxy);
    const store = asyncStore(proxy);
    const editor = (await store.authenticate((await store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] })).token))!;
    const post = await store.submitPost(editor, { account: '人社官微', body: '正文' });
    function* touchThenBreak(postId: string) {
      yield* run(pdb.update(posts).set({ updatedAt: 'touched' }).where(eq(posts.id, postId)));
      yield* run(pdb.delete(postVersions).where(eq(postVersions.postId, postId)));
      return 'unreachable';
    }
    expect(await failure(runAsync(touchThenBreak(post.id)))).toBe('post versions are immutable');
    expect((await proxy.select().from(posts).where(eq(posts.id, post.id)).get())!.updatedAt).toBe('touched');
  });

  it('with batch, writes held back together commit together or not at all, and a read sees the writes before it', async () => {
    const { proxy, stats } = asyncDb();
    const pdb = programDb(proxy);
    const store = asyncStore(proxy, { batch: true });
    const editor = (await store.authenticate((await store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] })).token))!;
    const post = await store.submitPost(editor, { account: '人社官微', body: '正文' });
    function* touchThenBreak(postId: string) {
      yield* run(pdb.update(posts).set({ updatedAt: 'touched' }).where(eq(posts.id, postId)));
      yield* run(pdb.delete(postVersions).where(eq(postVersions.postId, postId)));
      return 'unreachable';
    }
    expect(await failure(runAsync(touchThenBreak(post.id), { batch: proxy }))).toBe('post versions are immutable');
    expect((await proxy.select().from(posts).where(eq(posts.id, post.id)).get())!.updatedAt).not.toBe('touched');

    function* touchThenRead(postId: string) {
      yield* run(pdb.update(posts).set({ updatedAt: 'first' }).where(eq(posts.id, postId)));
      yield* run(pdb.update(posts).set({ updatedAt: 'second' }).where(eq(posts.id, postId)));
      const row = yield* get(pdb.select({ updatedAt: posts.updatedAt }).from(posts).where(eq(posts.id, postId)));
      const rows = yield* all(pdb.select({ updatedAt: posts.updatedAt }).from(posts).where(eq(posts.id, postId)));
      return [row?.updatedAt, rows.map((r) => r.updatedAt)];
    }
    let before = stats.roundTrips;
    expect(await runAsync(touchThenRead(post.id), { batch: proxy })).toEqual(['second', ['second']]);
    expect(stats.roundTrips - before).toBe(2);

    // `rows` reads raw values, which a batch would map: the writes go first, then the read.
    function* touchThenRows(postId: string) {
      yield* run(pdb.update(posts).set({ updatedAt: 'third' }).where(eq(posts.id, postId)));
      const fields = { id: sql<string>`id`, updatedAt: sql<string>`updated_at` };
      return yield* rows(fields, pdb.select(fields).from(sql`posts`).where(sql`id = ${postId}`));
    }
    before = stats.roundTrips;
    expect(await runAsync(touchThenRows(post.id), { batch: proxy })).toEqual([{ id: post.id, updatedAt: 'third' }]);
    expect(stats.roundTrips - before).toBe(2);
  });

  it('lets a program catch a failed statement and go on', async () => {
    const { proxy } = asyncDb();
    const pdb = programDb(proxy);
    await asyncStore(proxy).addUser({ name: '编辑', role: 'editor' });
    function* tryDelete() {
      try {
        yield* run(pdb.delete(auditLog));
        return 'deleted';
      } catch (err) {
        const rows = yield* all(pdb.select().from(auditLog));
        return `${String((err as Error).cause).includes('append-only') ? 'refused' : 'other'} with ${rows.length} rows`;
      }
    }
    expect(await runAsync(tryDelete())).toBe('refused with 1 rows');
  });
});

describe.each([{ batch: false }, { batch: true }])('audit appends racing on an async driver (%o)', ({ batch }) => {
  it('a second writer that read the same predecessor retries on the new one: no lost entry, the chain verifies', async () => {
    const { db, proxy } = asyncDb();
    const pdb = programDb(proxy);
    const opts = batch ? { batch: proxy } : {};
    const before = verifyAudit(db).rows;
    // Ten appends started at once all read the same last row first.
    await Promise.all(Array.from({ length: 10 }, (_, i) => runAsync(appendAudit$(pdb, { actorId: null, action: 'test.race', entityType: 'test', entityId: String(i) }), opts)));
    expect(verifyAudit(db)).toEqual({ ok: true, rows: before + 10 });
    const ids = (await proxy.select({ id: auditLog.entityId }).from(auditLog).where(eq(auditLog.action, 'test.race')).all()).map((r) => r.id).sort();
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => String(i)).sort());
  });
});

describe('outbox programs on an async driver', () => {
  it('reads due rows, marks them dispatched, requeues stale ones and records failures with a backoff', async () => {
    const { proxy } = asyncDb();
    const pdb = programDb(proxy);
    const store = asyncStore(proxy);
    const editor = (await store.authenticate((await store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] })).token))!;
    await store.submitPost(editor, { account: '人社官微', body: '一' });
    await store.submitPost(editor, { account: '人社官微', body: '二' });
    const due = await runAsync(duePending$(pdb, 10));
    expect(due.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(await runAsync(openCount$(pdb))).toBe(2);
    const t0 = new Date(Date.now() + 1000);
    await runAsync(markDispatched$(pdb, due.map((r) => r.id), t0));
    expect(await runAsync(duePending$(pdb, 10))).toEqual([]);
    expect(await runAsync(staleDispatched$(pdb, new Date(t0.getTime() - 1000), 10))).toEqual([]);
    const stale = await runAsync(staleDispatched$(pdb, new Date(t0.getTime() + 1000), 10));
    expect(stale.map((r) => r.id)).toEqual(due.map((r) => r.id));
    await runAsync(requeue$(pdb, [due[0]!.id]));
    await runAsync(recordFailure$(pdb, due[1]!.id, 'worker lost', t0));
    expect(await runAsync(outboxCounts$(pdb))).toEqual({ pending: 2 });
    // The failed row waits out its backoff; the requeued one is due at once.
    expect((await runAsync(duePending$(pdb, 10, t0))).map((r) => r.id)).toEqual([due[0]!.id]);
    const failed = (await runAsync(duePending$(pdb, 10, new Date(t0.getTime() + 24 * 3600_000)))).find((r) => r.id === due[1]!.id)!;
    expect(failed).toMatchObject({ attempts: 1, lastError: 'worker lost' });
    expect(await runAsync(openCount$(pdb))).toBe(2);
  });
});

describe('runSync', () => {
  it('writes all of a program or nothing, and refuses an async database', async () => {
    const { db, proxy } = asyncDb();
    const pdb = programDb(db);
    const store = new SqliteStore(db);
    const editor = (await store.authenticate(store.addUser({ name: '编辑', role: 'editor', accounts: ['人社官微'] }).token))!;
    const post = await store.submitPost(editor, { account: '人社官微', body: '正文' });
    let notified = 0;
    function* touchThenBreak() {
      yield* run(pdb.update(posts).set({ updatedAt: 'touched' }).where(eq(posts.id, post.id)));
      yield* afterCommit(() => notified++);
      yield* run(pdb.delete(postVersions).where(eq(postVersions.postId, post.id)));
    }
    expect(() => runSync(db, touchThenBreak())).toThrow(/immutable/);
    const row = runSync(db, get(pdb.select().from(posts).where(eq(posts.id, post.id))));
    expect(row!.updatedAt).not.toBe('touched');
    expect(notified).toBe(0);

    const asyncProgram = get(programDb(proxy).select().from(posts));
    expect(() => runSync(db, asyncProgram)).toThrow(/returned a Promise/);
  });
});

describe('verifyAudit$', () => {
  it('reads the log in pages, on both drivers, and still reports rows before seq 1', async () => {
    const { db, proxy } = asyncDb();
    db.transaction((tx) => {
      for (let i = 0; i < 1500; i++) appendAudit(tx, { actorId: null, action: 'test.row', entityType: 'test', entityId: String(i) });
    });
    expect(verifyAudit(db)).toEqual({ ok: true, rows: 1500 });
    expect(await runAsync(verifyAudit$(programDb(proxy)))).toEqual({ ok: true, rows: 1500 });
    db.$client.exec('DROP TRIGGER audit_log_append_only');
    db.$client.prepare("UPDATE audit_log SET data = '{\"x\":1}' WHERE seq = 1200").run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, badSeq: 1200, reason: 'row 1200 was modified (hash mismatch)' });
    expect(await runAsync(verifyAudit$(programDb(proxy)))).toMatchObject({ ok: false, badSeq: 1200 });
    db.$client.prepare("INSERT INTO audit_log (seq, at, action, entity_type, entity_id, data, prev_hash, hash) VALUES (0, 'x', 'a', 'b', 'c', '{}', 'p', 'h')").run();
    expect(verifyAudit(db)).toMatchObject({ ok: false, badSeq: 1 });
  });
});
