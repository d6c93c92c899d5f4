/** The cleanup page (已公开信息动态清理): account freshness, recent cleanup runs, and the open cleanup tasks to decide. */
import { Hono } from 'hono';
import type { Store } from '../service/programs.js';
import { today } from '../review/dates.js';
import { Layout } from '../ui/layout.js';
import { Flash, LocalTime, redirectWith, type UiEnv } from '../ui/components.js';
import type { CleanupApi } from './service.js';

const ACTION_NAMES: Record<string, string> = { withdraw: '撤回', annotate: '加注', update: '更新', keep: '保留' };
const KIND_NAMES: Record<string, string> = { rescan: '按现行规则复查', policy: '引用失效政策', deadline: '期限已过', link_broken: '链接失效', link_foreign: '链接不在白名单' };
const LEVEL_NAMES: Record<string, string> = { ok: '正常', warning: '预警（≥10天未更新）', failing: '不合格（≥14天未更新）' };

export function cleanupPages(store: Pick<Store, 'accountFreshness' | 'listCleanupTasks' | 'decideCleanupTask'>, cleanup?: CleanupApi) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/cleanup', async (c) => {
    const actor = c.get('actor');
    const fresh = await store.accountFreshness(today());
    const tasks = await store.listCleanupTasks(actor, { state: 'open', limit: 200 });
    const runs = ((await cleanup?.runs(5)) ?? []) as Array<{ id: number; trigger: string; state: string; percent: number; totalPosts: number; opened: number; closed: number; asOf: string }>;
    return c.html(
      <Layout title="动态清理" actor={actor}>
        <h1>已公开信息动态清理</h1>
        <Flash c={c} />
        <h3>账号更新情况</h3>
        <table id="freshness">
          <thead>
            <tr>
              <th>账号</th>
              <th>最近发布</th>
              <th>未更新天数</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {fresh.map((f) => (
              <tr class={f.level}>
                <td>{f.account}</td>
                <td>{f.lastPublishedAt ? <LocalTime at={f.lastPublishedAt} /> : f.joinedAt ? `从未发布（加入矩阵 ${f.days ?? 0} 天）` : '从未发布（加入时间不详）'}</td>
                <td>{f.days ?? '—'}</td>
                <td>{f.level === 'ok' ? LEVEL_NAMES.ok : <b>{LEVEL_NAMES[f.level]}</b>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>清理扫描</h3>
        {runs.length === 0 ? <p class="muted">尚未运行。</p> : null}
        <ul id="runs">
          {runs.map((r) => (
            <li>
              #{r.id}（{r.trigger}，基准日 {r.asOf}）：{r.state === 'done' ? '已完成' : r.state === 'running' ? '进行中' : '失败'} <progress max={100} value={r.percent}></progress> {r.percent}% · {r.totalPosts} 篇 · 新增 {r.opened} · 关闭 {r.closed}
            </li>
          ))}
        </ul>
        <h3>待处理的清理任务（{tasks.length}）</h3>
        <table>
          <thead>
            <tr>
              <th>稿件</th>
              <th>问题</th>
              <th>说明</th>
              <th>建议</th>
              <th>处理</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr>
                <td>
                  <a href={`/ui/posts/${t.postId}`}>{t.title ?? '（无标题）'}</a>
                  <br />
                  <span class="muted">{t.account}</span>
                </td>
                <td>{KIND_NAMES[t.kind] ?? t.kind}</td>
                <td>{t.problem}</td>
                <td>{ACTION_NAMES[t.recommendedAction]}</td>
                <td>
                  <form method="post" action={`/ui/cleanup/tasks/${t.id}`}>
                    <select name="action">
                      {['withdraw', 'annotate', 'update', 'keep'].map((a) => (
                        <option value={a} selected={a === t.recommendedAction}>
                          {ACTION_NAMES[a]}
                        </option>
                      ))}
                    </select>{' '}
                    <input name="reason" placeholder="理由" />
                    <button type="submit">确定</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  ui.post('/ui/cleanup/tasks/:id', async (c) => {
    const form = await c.req.parseBody();
    const action = String(form.action ?? '') as 'withdraw';
    if (!['withdraw', 'annotate', 'update', 'keep'].includes(action)) return redirectWith(c, '/ui/cleanup', 'err', '未知的处理方式');
    const reason = String(form.reason ?? '').trim();
    await store.decideCleanupTask(c.get('actor'), Number(c.req.param('id')), { action, ...(reason ? { reason } : {}) });
    return redirectWith(c, '/ui/cleanup', 'msg', `已${ACTION_NAMES[action]}`);
  });

  return ui;
}
