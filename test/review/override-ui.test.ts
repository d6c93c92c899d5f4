/**
 * An overridden machine block is visible where people decide and follow posts:
 * the task page and the post page say 拦截（已覆盖） with the officer and the
 * reason, the posts list marks it too (real server, real pipeline, real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/db.js';
import { client, uiSession, waitFor } from '../helpers/http.js';

let app: Running;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  app = await startServer({ ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tempDir(), threads: 1 }, { quiet: true });
  base = `http://127.0.0.1:${app.port}`;
  tokens.editor = app.store.addUser({ name: '张编辑', role: 'editor', accounts: ['人社官微'] }).token;
  tokens.comp = app.store.addUser({ name: '李合规', role: 'compliance' }).token;
  tokens.comp2 = app.store.addUser({ name: '王合规', role: 'compliance' }).token;
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('an overridden block in the UI', () => {
  it('shows 拦截（已覆盖）, the officer and the reason on the task page, the post page and the posts list', async () => {
    const editor = client(base, tokens.editor);
    const r = await editor.post('/api/posts', { account: '人社官微', title: '工作简报', body: '本文件属绝密级，请勿外传。' });
    const blocked = await waitFor(async () => {
      const p = (await editor.get(`/api/posts/${r.body.id}`)).body;
      return p.machineReview ? p : null;
    }, 60_000, 'machine review');
    expect(blocked.machineReview.verdict).toBe('block');
    const reason = '经核实为公开报道中的引用，不涉密';
    expect((await client(base, tokens.comp).post(`/api/posts/${r.body.id}/override`, { reason })).body.status).toBe('pending_review');

    const comp2 = await uiSession((p, init) => fetch(base + p, init), tokens.comp2!);
    const queue = await (await fetch(`${base}/ui/queue`, { headers: { cookie: comp2 } })).text();
    expect(queue).toContain('拦截（已覆盖）');
    const taskId = (await client(base, tokens.comp2).get(`/api/review/tasks?postId=${r.body.id}`)).body.tasks[0].id;
    const task = await (await fetch(`${base}/ui/tasks/${taskId}`, { headers: { cookie: comp2 } })).text();
    expect(task).toMatch(/<p class="flash" id="override">机器拦截已由 <b>李合规<\/b> 于 <time[^>]*>[^<]+<\/time> 覆盖，理由：经核实为公开报道中的引用，不涉密。/);
    expect(task).toContain('<b>覆盖机器拦截</b>（经核实为公开报道中的引用，不涉密）');

    const ed = await uiSession((p, init) => fetch(base + p, init), tokens.editor!);
    const post = await (await fetch(`${base}/ui/posts/${r.body.id}`, { headers: { cookie: ed } })).text();
    expect(post).toContain('拦截（已覆盖）');
    expect(post).toContain('id="override"');
    const list = await (await fetch(`${base}/ui/posts`, { headers: { cookie: ed } })).text();
    expect(list).toContain('拦截（已覆盖）');
    // The API says the same.
    expect((await editor.get(`/api/posts/${r.body.id}`)).body.overrides).toEqual([{ version: 1, actorId: expect.any(Number), actorName: '李合规', reason, at: expect.any(String) }]);
  }, 120_000);
});
