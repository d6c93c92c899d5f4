/**
 * The reviewer's pages: the queue, a task with its post, and the task's
 * actions (decide, claim, release, renew, mark a finding).
 *
 * Reading an item never locks it. A claim is taken when the reviewer acts:
 * presses 认领, or starts writing a reason (the page's script claims then);
 * deciding needs no claim and ends any. A claim ends on the decision, on
 * 释放, when the reviewer leaves the page (the script sends a release beacon)
 * and when its lease runs out. After a decision the reviewer is back on the
 * queue: nothing opens or claims the next item for them.
 */
import { Hono, type Context } from 'hono';
import { DomainError } from '../store/errors.js';
import type { Store } from '../service/programs.js';
import { Layout } from '../ui/layout.js';
import { CATEGORY_LABEL } from '../ui/highlight.js';
import { Badges, DECISION_LABEL, Flash, LocalTime, redirectWith, STATUS_LABEL, uiMessage, type UiEnv } from '../ui/components.js';
import { Diff, FindingsTable, OverrideNotice, PostBody, PostMeta, Reviews } from '../ui/post.js';
import type { QueueFilter, QueueItem } from './queue.js';
import type { TaskView } from './tasks.js';

type ReviewPagesStore = Pick<Store, 'queue' | 'getTask' | 'getPost' | 'listReasonTemplates' | 'versionDiff' | 'decide' | 'claimTask' | 'renewClaim' | 'releaseClaim' | 'markFinding'>;

const FILTER_KEYS = ['account', 'unit', 'category', 'risk', 'verdict'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** The queue filter from the query string; unknown values are dropped. */
function queueFilter(q: Record<string, string>): QueueFilter {
  return {
    ...(q.account ? { account: q.account } : {}),
    ...(q.unit ? { unit: q.unit } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.risk === 'high' || q.risk === 'normal' ? { risk: q.risk } : {}),
    ...(q.verdict === 'pass' || q.verdict === 'review' || q.verdict === 'block' ? { verdict: q.verdict } : {}),
  };
}

/** A queue link that sets (or, with null, clears) one filter and keeps the others. */
function queueHref(f: QueueFilter, key: FilterKey | null, value: string | null): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = k === key ? value : (f[k] as string | undefined);
    if (v) p.set(k, v);
  }
  const s = p.toString();
  return s ? `/ui/queue?${s}` : '/ui/queue';
}

const FILTER_LABEL: Record<FilterKey, (v: string) => string> = {
  account: (v) => `账号：${v}`,
  unit: (v) => `单位：${v}`,
  category: (v) => `类别：${CATEGORY_LABEL[v] ?? v}`,
  risk: (v) => (v === 'high' ? '双人审核' : '单人审核'),
  verdict: (v) => (v === 'pass' ? '低风险（机器通过）' : v === 'review' ? '机器送审' : '机器拦截'),
};

/** Whether approving now would be the last approval a two-approval task needs: the page asks to confirm it. */
const lastOfTwo = (t: Pick<TaskView, 'requiredApprovals' | 'approvals'>) => t.requiredApprovals >= 2 && t.approvals === t.requiredApprovals - 1;

function taskId(c: Context): number {
  const raw = c.req.param('id') ?? '';
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) throw new DomainError('not_found', `no review task ${raw}`, undefined, '审核任务不存在');
  return Number(raw);
}

export function reviewPages(store: ReviewPagesStore) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/queue', async (c) => {
    const actor = c.get('actor');
    const filter = queueFilter(c.req.query());
    const { items, counts } = await store.queue(actor, { ...filter, limit: 200 });
    const active = FILTER_KEYS.filter((k) => filter[k]);
    return c.html(
      <Layout title="审核队列" actor={actor}>
        <h1>审核队列</h1>
        <Flash c={c} />
        <p class="counts" id="counts" data-counts={`/ui/queue/counts`} data-total={String(counts.total)}>
          <span>
            <a href={queueHref(filter, 'verdict', null)}>待审核</a> <b id="count-total">{counts.total}</b>
          </span>
          <span>
            <a id="tab-pass" href={queueHref(filter, 'verdict', 'pass')}>低风险（机器通过）</a> <b id="count-pass">{counts.pass}</b>
          </span>
          <span>
            <a href={queueHref(filter, 'risk', 'high')}>双人审核</a> <b id="count-high">{counts.high}</b>
          </span>
          <span id="queue-changed" class="muted" hidden>
            队列有变化，<a href="">刷新</a>
          </span>
        </p>
        <p class="counts">
          {Object.entries(counts.byAccount).map(([acc, n]) => (
            <span>
              <a href={queueHref(filter, 'account', acc)}>{acc}</a> {n}
            </span>
          ))}
        </p>
        <p class="counts">
          {Object.entries(counts.byCategory).map(([cat, n]) => (
            <span>
              <a href={queueHref(filter, 'category', cat)}>{CATEGORY_LABEL[cat] ?? cat}</a> {n}
            </span>
          ))}
        </p>
        {active.length ? (
          <p id="filters">
            筛选：
            {active.map((k) => (
              <span class="badge">
                {FILTER_LABEL[k](filter[k] as string)} <a href={queueHref(filter, k, null)} title="去掉此条件">×</a>
              </span>
            ))}{' '}
            <a href="/ui/queue">全部</a>
          </p>
        ) : null}
        {items.length === 0 ? (
          <p class="muted">{active.length ? '没有符合筛选条件的稿件。' : '队列已清空。'}</p>
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
                <tr data-href={`/ui/tasks/${it.id}`} data-task={String(it.id)} data-verdict={it.verdict ?? ''}>
                  <td>
                    <a href={`/ui/tasks/${it.id}`}>{it.title || it.excerpt}</a>
                  </td>
                  <td>
                    {it.account}
                    <br />
                    <span class="muted">{it.unit ?? ''}</span>
                  </td>
                  <td>
                    <Badges verdict={it.verdict} categories={it.categories} high={it.requiredApprovals >= 2} overridden={it.overridden} />
                  </td>
                  <td>{it.date}</td>
                  <td>
                    {it.approvals}/{it.requiredApprovals}
                    {it.claimedByName ? (
                      <span class="muted holder">
                        {' '}
                        · {it.claimedBy === actor.id ? '你' : it.claimedByName} 处理中（至 <LocalTime at={it.leaseExpiresAt} />）
                      </span>
                    ) : null}
                    {it.assignedRole === 'compliance' ? <span class="badge">合规</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="muted">
          <kbd>j</kbd>/<kbd>k</kbd> 选择 · <kbd>p</kbd> 下一条低风险 · <kbd>Enter</kbd> 打开 · <kbd>?</kbd> 快捷键
        </p>
      </Layout>,
    );
  });

  /** The queue's counts for the page's script, which refreshes them while the page is open. */
  ui.get('/ui/queue/counts', async (c) => c.json((await store.queue(c.get('actor'), { limit: 1 })).counts));

  const neighbours = (items: QueueItem[], id: number) => {
    const i = items.findIndex((t) => t.id === id);
    if (i < 0) return { next: items[0] ?? null, prev: null };
    return { next: items[i + 1] ?? null, prev: items[i - 1] ?? null };
  };

  ui.get('/ui/tasks/:id', async (c) => {
    const actor = c.get('actor');
    const id = taskId(c);
    const task0 = await store.getTask(actor, id);
    const all = await store.queue(actor, { limit: 500 });
    const { next, prev } = neighbours(all.items, id);
    const post = await store.getPost(actor, task0.postId);
    const task = post.tasks.find((t) => t.id === id);
    const open = task && (task.state === 'open' || task.state === 'claimed');
    const held = task?.state === 'claimed';
    const mine = held && task.claimedBy === actor.id;
    const holder = held && !mine ? all.items.find((t) => t.id === id)?.claimedByName ?? '其他审核员' : null;
    const templates = await store.listReasonTemplates();
    const diff = await Diff({ store, actor, post });
    const confirmLast = !!task && lastOfTwo(task);
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
        <OverrideNotice post={post} />
        {task ? (
          <p id="progress">
            审核进度：{task.approvals}/{task.requiredApprovals} 人通过
            {task.requiredApprovals >= 2 ? '（高风险，需两名不同审核员通过）' : ''}
          </p>
        ) : null}
        {open ? (
          <div id="claim">
            {holder ? (
              <p class="flash" id="held">
                <b>{holder}</b> 正在处理此稿（认领至 <LocalTime at={task.leaseExpiresAt} />）。你可以阅读，但在其释放或认领到期前不能作出决定。
              </p>
            ) : mine ? (
              <form method="post" action={`/ui/tasks/${id}/release`} class="inline">
                <span class="muted">你已认领此稿（至 <LocalTime at={task.leaseExpiresAt} />），其他审核员暂不能处理。</span>{' '}
                <button type="submit" id="release">
                  释放
                </button>
              </form>
            ) : (
              <form method="post" action={`/ui/tasks/${id}/claim`} class="inline">
                <span class="muted">无人认领。作出决定不必先认领；需要时间核实时可先认领，避免与他人重复处理。</span>{' '}
                <button type="submit" id="claimButton">
                  认领
                </button>
              </form>
            )}
          </div>
        ) : null}
        <PostBody post={post} />
        {open && !holder ? (
          <form
            id="decide"
            method="post"
            action={`/ui/tasks/${id}/decide`}
            data-claim={`/ui/tasks/${id}/claim?via=script`}
            data-renew={`/ui/tasks/${id}/renew`}
            data-release={`/ui/tasks/${id}/release?via=beacon`}
            data-held={mine ? '1' : ''}
            data-confirm-last={confirmLast ? '1' : ''}
          >
            <input type="hidden" name="decision" value="approve" />
            {confirmLast ? (
              <p id="confirmBox">
                <label>
                  <input type="checkbox" name="confirm" value="1" /> 我确认：这是本稿的第 {task.requiredApprovals} 次（最后一次）通过，通过后稿件即可发布
                </label>
                <span id="confirmHint" class="muted">
                  {' '}
                  （按 <kbd>a</kbd> 后再按一次 <kbd>a</kbd> 确认）
                </span>
              </p>
            ) : null}
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
    const id = taskId(c);
    const form = await c.req.parseBody();
    const decision = String(form.decision ?? '');
    if (!['approve', 'reject', 'request_changes', 'escalate'].includes(decision)) return redirectWith(c, `/ui/tasks/${id}`, 'err', '未知的审核决定');
    const reason = String(form.reason ?? '').trim();
    try {
      const task = await store.getTask(actor, id);
      const post = await store.getPost(actor, task.postId);
      // The last approval of a two-approval post lets it be published: the reviewer confirms it on purpose.
      if (decision === 'approve' && lastOfTwo(task) && form.confirm !== '1') {
        return redirectWith(c, `/ui/tasks/${id}`, 'err', `这是本稿的最后一次通过，通过后即可发布：请勾选“我确认”后再提交`);
      }
      const r = await store.decide(actor, id, { decision: decision as 'approve', ...(reason ? { reason } : {}) });
      const name = post.title || post.body.slice(0, 20);
      return redirectWith(c, '/ui/queue', 'msg', `已${DECISION_LABEL[decision]}「${name}」（${post.account}）；稿件状态：${STATUS_LABEL[r.status] ?? r.status}`);
    } catch (err) {
      if (err instanceof DomainError) return redirectWith(c, `/ui/tasks/${id}`, 'err', uiMessage(err));
      throw err;
    }
  });

  // Claim and release answer a form with a redirect to the task page, the page's script with JSON, a leaving page's beacon with 204.
  const claimAction = (what: 'claim' | 'release' | 'renew') => async (c: Context<UiEnv>) => {
    const via = c.req.query('via');
    const actor = c.get('actor');
    const id = taskId(c);
    try {
      const t = what === 'claim' ? await store.claimTask(actor, id) : what === 'release' ? await store.releaseClaim(actor, id) : await store.renewClaim(actor, id);
      if (via === 'beacon') return c.body(null, 204);
      if (via === 'script' || what === 'renew') return c.json(t);
      return redirectWith(c, `/ui/tasks/${id}`, 'msg', what === 'claim' ? '已认领：认领期间其他审核员不能作出决定' : '已释放认领');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const status = err.code === 'conflict' ? 409 : err.code === 'not_found' ? 404 : 403;
      if (via === 'beacon') return c.body(null, status);
      if (via === 'script' || what === 'renew') return c.json({ error: uiMessage(err) }, status);
      return redirectWith(c, `/ui/tasks/${id}`, 'err', uiMessage(err));
    }
  };
  ui.post('/ui/tasks/:id/claim', claimAction('claim'));
  ui.post('/ui/tasks/:id/release', claimAction('release'));
  ui.post('/ui/tasks/:id/renew', claimAction('renew'));

  ui.post('/ui/posts/:id/findings/:index/mark', async (c) => {
    const form = await c.req.parseBody();
    const mark = form.mark === 'confirmed' ? 'confirmed' : 'false_positive';
    await store.markFinding(c.get('actor'), c.req.param('id'), Number(c.req.param('index')), mark);
    const back = c.req.header('referer');
    return redirectWith(c, back ? new URL(back).pathname : '/ui', 'msg', mark === 'confirmed' ? '已确认该发现' : '已标记为误报');
  });

  return ui;
}
