/** The reviewer's pages: the queue, a task with its post, and the task's actions (decide, claim, renew, mark a finding). */
import { Hono } from 'hono';
import { DomainError } from '../store/errors.js';
import type { Store } from '../service/programs.js';
import { Layout } from '../ui/layout.js';
import { CATEGORY_LABEL } from '../ui/highlight.js';
import { Badges, DECISION_LABEL, Flash, redirectWith, STATUS_LABEL, uiMessage, type UiEnv } from '../ui/components.js';
import { Diff, FindingsTable, PostBody, PostMeta, Reviews } from '../ui/post.js';
import type { QueueItem } from './queue.js';

type ReviewPagesStore = Pick<Store, 'queue' | 'getTask' | 'getPost' | 'listReasonTemplates' | 'versionDiff' | 'decide' | 'claimTask' | 'renewClaim' | 'markFinding'>;

export function reviewPages(store: ReviewPagesStore) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/queue', async (c) => {
    const actor = c.get('actor');
    const q = c.req.query();
    const filter = {
      ...(q.account ? { account: q.account } : {}),
      ...(q.unit ? { unit: q.unit } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.risk === 'high' || q.risk === 'normal' ? { risk: q.risk as 'high' | 'normal' } : {}),
      limit: 200,
    };
    const { items, counts } = await store.queue(actor, filter);
    return c.html(
      <Layout title="审核队列" actor={actor}>
        <h1>审核队列</h1>
        <Flash c={c} />
        <p class="counts">
          <span>
            待审核 <b id="count-total">{counts.total}</b>
          </span>
          <span>
            双人审核 <b>{counts.high}</b>
          </span>
          {Object.entries(counts.byAccount).map(([acc, n]) => (
            <span>
              <a href={`/ui/queue?account=${encodeURIComponent(acc)}`}>{acc}</a> {n}
            </span>
          ))}
        </p>
        <p class="counts">
          {Object.entries(counts.byCategory).map(([cat, n]) => (
            <span>
              <a href={`/ui/queue?category=${encodeURIComponent(cat)}`}>{CATEGORY_LABEL[cat] ?? cat}</a> {n}
            </span>
          ))}
          <span>
            <a href="/ui/queue?risk=high">仅看高风险</a> · <a href="/ui/queue">全部</a>
          </span>
        </p>
        {items.length === 0 ? (
          <p class="muted">队列已清空。</p>
        ) : (
          <table id="queue">
            <thead>
              <tr>
                <th>稿件</th>
                <th>账号 / 单位</th>
                <th>机器审核</th>
                <th>拟发布</th>
                <th>审核进度</th>
              </tr>
            </thead>
            <tbody>
              {items.map((it) => (
                <tr data-href={`/ui/tasks/${it.id}`} data-task={String(it.id)}>
                  <td>
                    <a href={`/ui/tasks/${it.id}`}>{it.title || it.excerpt}</a>
                  </td>
                  <td>
                    {it.account}
                    <br />
                    <span class="muted">{it.unit ?? ''}</span>
                  </td>
                  <td>
                    <Badges verdict={it.verdict} categories={it.categories} high={it.requiredApprovals >= 2} />
                  </td>
                  <td>{it.date}</td>
                  <td>
                    {it.approvals}/{it.requiredApprovals}
                    {it.claimedByName ? <span class="muted"> · {it.claimedByName} 处理中</span> : null}
                    {it.assignedRole === 'compliance' ? <span class="badge">合规</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="muted">
          <kbd>j</kbd>/<kbd>k</kbd> 选择 · <kbd>Enter</kbd> 打开 · <kbd>?</kbd> 快捷键
        </p>
      </Layout>,
    );
  });

  const neighbours = (items: QueueItem[], taskId: number) => {
    const i = items.findIndex((t) => t.id === taskId);
    if (i < 0) return { next: items[0] ?? null, prev: null };
    return { next: items[i + 1] ?? null, prev: items[i - 1] ?? null };
  };

  ui.get('/ui/tasks/:id', async (c) => {
    const actor = c.get('actor');
    const taskId = Number(c.req.param('id'));
    if (!Number.isInteger(taskId)) return c.notFound();
    const all = await store.queue(actor, { limit: 500 });
    const { next, prev } = neighbours(all.items, taskId);
    const task0 = await store.getTask(actor, taskId);
    const post = await store.getPost(actor, task0.postId);
    const task = post.tasks.find((t) => t.id === taskId);
    const open = task && (task.state === 'open' || task.state === 'claimed');
    const heldByOther = task?.state === 'claimed' && task.claimedBy !== actor.id;
    const templates = await store.listReasonTemplates();
    const diff = await Diff({ store, actor, post });
    return c.html(
      <Layout title={post.title ?? '审核'} actor={actor}>
        <Flash c={c} />
        <p>
          <a href="/ui/queue">← 队列</a>
          {prev ? (
            <>
              {' '}
              · <a id="prev" href={`/ui/tasks/${prev.id}`}>上一条 (k)</a>
            </>
          ) : null}
          {next ? (
            <>
              {' '}
              · <a id="next" href={`/ui/tasks/${next.id}`}>下一条 (j)</a>
            </>
          ) : null}
        </p>
        <PostMeta post={post} />
        {task ? (
          <p>
            审核进度：{task.approvals}/{task.requiredApprovals} 人通过
            {task.requiredApprovals >= 2 ? '（高风险，需两名不同审核员通过）' : ''}
            {heldByOther ? <b>（已被其他审核员认领）</b> : null}
          </p>
        ) : null}
        <PostBody post={post} />
        {open && !heldByOther ? (
          <form id="decide" method="post" action={`/ui/tasks/${taskId}/decide`} data-claim={`/ui/tasks/${taskId}/claim`} data-renew={`/ui/tasks/${taskId}/renew`}>
            <input type="hidden" name="decision" value="approve" />
            <div class="actions">
              <button class="primary" type="submit" data-decision="approve">
                通过 <kbd>a</kbd>
              </button>
              <button type="button" data-ask="request_changes" data-label="要求修改的内容">
                要求修改 <kbd>c</kbd>
              </button>
              <button type="button" class="danger" data-ask="reject" data-label="退回（不予发布）理由">
                不予发布 <kbd>r</kbd>
              </button>
              <button type="button" data-ask="escalate" data-label="上报合规审查的原因">
                上报合规 <kbd>e</kbd>
              </button>
            </div>
            <div id="reasonBox">
              <label>
                <b id="reasonLabel">理由</b>
                <textarea name="reason" maxlength={2000}></textarea>
              </label>
              {templates.length ? (
                <select data-reason-template>
                  <option value="">常用理由…</option>
                  {templates.map((t) => (
                    <option value={t.text}>
                      [{DECISION_LABEL[t.decision] ?? t.decision}] {t.text}
                    </option>
                  ))}
                </select>
              ) : null}{' '}
              <button type="submit">提交（Ctrl+Enter）</button>
            </div>
          </form>
        ) : null}
        <h3>机器审核发现</h3>
        <FindingsTable post={post} canMark={post.authorId !== actor.id} />
        {diff}
        <Reviews post={post} />
      </Layout>,
    );
  });

  ui.post('/ui/tasks/:id/decide', async (c) => {
    const actor = c.get('actor');
    const taskId = Number(c.req.param('id'));
    const form = await c.req.parseBody();
    const decision = String(form.decision ?? '');
    if (!['approve', 'reject', 'request_changes', 'escalate'].includes(decision)) return redirectWith(c, `/ui/tasks/${taskId}`, 'err', '未知的审核决定');
    const reason = String(form.reason ?? '').trim();
    // Keep the neighbour before deciding: the decided task leaves the queue.
    const before = await store.queue(actor, { limit: 500 });
    const { next } = neighbours(before.items, taskId);
    try {
      const r = await store.decide(actor, taskId, { decision: decision as 'approve', ...(reason ? { reason } : {}) });
      const msg = `已${DECISION_LABEL[decision]}；稿件状态：${STATUS_LABEL[r.status] ?? r.status}`;
      return redirectWith(c, next ? `/ui/tasks/${next.id}` : '/ui/queue', 'msg', msg);
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, `/ui/tasks/${taskId}`, 'err', uiMessage(err));
      throw err;
    }
  });

  ui.post('/ui/tasks/:id/claim', async (c) => {
    try {
      const t = await store.claimTask(c.get('actor'), Number(c.req.param('id')));
      return c.json(t);
    } catch (err) {
      if (err instanceof DomainError) return c.json({ error: err.message }, err.code === 'conflict' ? 409 : 403);
      throw err;
    }
  });

  ui.post('/ui/tasks/:id/renew', async (c) => {
    try {
      return c.json(await store.renewClaim(c.get('actor'), Number(c.req.param('id'))));
    } catch (err) {
      if (err instanceof DomainError) return c.json({ error: err.message }, 409);
      throw err;
    }
  });

  ui.post('/ui/posts/:id/findings/:index/mark', async (c) => {
    const form = await c.req.parseBody();
    const mark = form.mark === 'confirmed' ? 'confirmed' : 'false_positive';
    await store.markFinding(c.get('actor'), c.req.param('id'), Number(c.req.param('index')), mark);
    const back = c.req.header('referer');
    return redirectWith(c, back ? new URL(back).pathname : '/ui', 'msg', mark === 'confirmed' ? '已确认该发现' : '已标记为误报');
  });

  return ui;
}
