/**
 * The reviewer workspace (server-rendered, Simplified Chinese). It signs in with
 * an API token kept in an HttpOnly, SameSite=Strict cookie and calls the same
 * Store as the JSON API, so every rule (claims, roles, separation of duties,
 * approvals) holds here exactly as there.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { DomainError } from '../store/errors.js';
import type { Actor } from '../users/actor.js';
import type { CleanupApi } from '../cleanup/service.js';
import type { PostView } from '../posts/types.js';
import type { QueueItem } from '../review/queue.js';
import type { Store } from '../service/programs.js';
import { today } from '../review/dates.js';
import type { Hit } from '../review/types.js';
import { Layout } from './layout.js';
import { ACTION_LABEL, CATEGORY_LABEL, GATE_LABEL, Highlighted, SEVERITY_LABEL } from './highlight.js';

const COOKIE = 'lastgate_token';

const STATUS_LABEL: Record<string, string> = {
  submitted: '机器审核中',
  changes_requested: '退回修改',
  pending_review: '待人工审核',
  approved: '已通过',
  rejected: '不予发布',
  scheduled: '已排期',
  published: '已发布',
  withdrawn: '已撤回',
  annotated: '已加注',
};
const VERDICT_LABEL: Record<string, string> = { pass: '通过', review: '需复核', block: '拦截' };
const DECISION_LABEL: Record<string, string> = { approve: '通过', reject: '不予发布', request_changes: '要求修改', escalate: '上报合规' };

type UiEnv = { Variables: { actor: Actor } };

function Flash({ c }: { c: Context }) {
  const msg = c.req.query('msg');
  const err = c.req.query('err');
  return (
    <>
      {msg ? <div class="flash">{msg}</div> : null}
      {err ? <div class="flash error">{err}</div> : null}
    </>
  );
}

function Badges({ verdict, categories, high }: { verdict: string | null; categories: string[]; high?: boolean }) {
  return (
    <>
      {verdict ? <span class={`badge ${verdict}`}>{VERDICT_LABEL[verdict] ?? verdict}</span> : null}
      {high ? <span class="badge high">双人审核</span> : null}
      {categories.map((cat) => (
        <span class="badge">{CATEGORY_LABEL[cat] ?? cat}</span>
      ))}
    </>
  );
}

function FindingsTable({ post, canMark }: { post: PostView; canMark: boolean }) {
  const hits = (post.machineReview?.findings ?? []) as Hit[];
  if (hits.length === 0) return <p class="muted">机器审核未发现问题。</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>位置</th>
          <th>原文</th>
          <th>审核关口 / 类别</th>
          <th>处理</th>
          <th>规则与建议</th>
          {canMark ? <th>判断</th> : null}
        </tr>
      </thead>
      <tbody>
        {hits.map((h, i) => (
          <tr>
            <td>
              {h.field === 'title' ? '标题' : '正文'} {h.start}–{h.end}
            </td>
            <td>
              <mark class={`f gate-${h.gate}`}>{h.text}</mark>
            </td>
            <td>
              {GATE_LABEL[h.gate] ?? h.gate} / {CATEGORY_LABEL[h.category] ?? h.category}（{SEVERITY_LABEL[h.severity] ?? h.severity}）
            </td>
            <td>{ACTION_LABEL[h.action] ?? h.action}</td>
            <td>
              <code>{h.rule}</code>
              {h.message ? <div>{h.message}</div> : null}
              {h.suggestion ? <div>建议：{h.suggestion}</div> : null}
            </td>
            {canMark ? (
              <td>
                <form method="post" action={`/ui/posts/${post.id}/findings/${i}/mark`} style="display:inline">
                  <input type="hidden" name="mark" value="false_positive" />
                  <button type="submit">误报</button>
                </form>{' '}
                <form method="post" action={`/ui/posts/${post.id}/findings/${i}/mark`} style="display:inline">
                  <input type="hidden" name="mark" value="confirmed" />
                  <button type="submit">确认</button>
                </form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PostBody({ post }: { post: PostView }) {
  const hits = (post.machineReview?.findings ?? []) as Hit[];
  return (
    <article class="post" id="post">
      {post.title ? (
        <h2>
          <Highlighted text={post.title} hits={hits} field="title" />
        </h2>
      ) : null}
      <Highlighted text={post.body} hits={hits} field="body" />
    </article>
  );
}

function PostMeta({ post }: { post: PostView }) {
  const mr = post.machineReview;
  return (
    <p>
      <b>{post.account}</b> · 第 {post.version} 版 · 拟发布日期 {post.date} · 状态：<b id="status">{STATUS_LABEL[post.status] ?? post.status}</b>{' '}
      {mr ? <Badges verdict={mr.verdict} categories={mr.categories} /> : <span class="badge">机器审核中</span>}
      {mr?.classifier ? (
        <span class="muted">
          {' '}
          · 模型：{mr.classifier.label} {(mr.classifier.score * 100).toFixed(0)}%
        </span>
      ) : null}
      {mr?.rulesOnly ? (
        <span class="muted" id="rules-only">
          {' '}
          · 仅规则审核（未运行模型{mr.classifierSkipped ? `：${mr.classifierSkipped}` : ''}）
        </span>
      ) : null}
    </p>
  );
}

function Reviews({ post }: { post: PostView }) {
  if (post.reviews.length === 0) return null;
  return (
    <>
      <h3>审核记录</h3>
      <ul>
        {post.reviews.map((r) => (
          <li>
            第 {r.version} 版 · {r.reviewerName}：{DECISION_LABEL[r.decision] ?? r.decision}
            {r.reason ? `（${r.reason}）` : ''} <span class="muted">{r.createdAt}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

async function Diff({ store, actor, post }: { store: Store; actor: Actor; post: PostView }) {
  if (post.version < 2) return null;
  const d = await store.versionDiff(actor, post.id, post.version - 1, post.version);
  return (
    <details open>
      <summary>
        与第 {d.from} 版的差异
      </summary>
      <div class="post">
        {[...d.title, { op: 'equal' as const, text: '\n' }, ...d.body].map((p) => (p.op === 'insert' ? <ins>{p.text}</ins> : p.op === 'delete' ? <del>{p.text}</del> : p.text))}
      </div>
    </details>
  );
}

function redirectWith(c: Context, path: string, kind: 'msg' | 'err', text: string) {
  const sep = path.includes('?') ? '&' : '?';
  return c.redirect(`${path}${sep}${kind}=${encodeURIComponent(text)}`, 303);
}

/** Mounts the workspace on `app` under /ui. */
export function mountUi(app: Hono<any>, store: Store, cleanup?: CleanupApi): void {
  // A sub-app of its own, so its error handler (redirect with a message) never answers for the JSON API.
  const ui = new Hono<UiEnv>();

  ui.get('/', (c) => c.redirect('/ui', 302));

  ui.get('/ui/login', (c) =>
    c.html(
      <Layout title="登录" actor={null}>
        <h1>登录</h1>
        <Flash c={c} />
        <form method="post" action="/ui/login">
          <p>
            <label>
              访问令牌（由管理员通过 <code>lastgate user add</code> 发放）
              <br />
              <input type="password" name="token" autocomplete="off" size={60} autofocus />
            </label>
          </p>
          <button class="primary" type="submit">
            登录
          </button>
        </form>
      </Layout>,
    ),
  );

  ui.post('/ui/login', async (c) => {
    const form = await c.req.parseBody();
    const token = String(form.token ?? '').trim();
    const actor = token ? await store.authenticate(token) : null;
    if (!actor) return redirectWith(c, '/ui/login', 'err', '令牌无效或已停用');
    setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/ui', secure: c.req.url.startsWith('https:') });
    return c.redirect('/ui', 303);
  });

  ui.get('/ui/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/ui' });
    return c.redirect('/ui/login', 303);
  });

  ui.use('/ui/*', async (c, next) => {
    if (c.req.path === '/ui/login') return next();
    const token = getCookie(c, COOKIE);
    const actor = token ? await store.authenticate(token) : null;
    if (!actor) return c.redirect('/ui/login', 303);
    // Forms are same-origin only: the cookie is SameSite=Strict and cross-site POSTs are refused here too.
    if (c.req.method === 'POST') {
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(c.req.url).origin) return c.text('cross-site request refused', 403);
    }
    c.set('actor', actor);
    await next();
  });

  ui.onError((err, c) => {
    if (err instanceof DomainError) {
      const back = c.req.header('referer');
      const path = back ? new URL(back).pathname : '/ui';
      return redirectWith(c, path, 'err', err.message);
    }
    throw err;
  });

  ui.get('/ui', (c) => {
    const a = c.get('actor');
    return c.redirect(a.role === 'reviewer' || a.role === 'compliance' ? '/ui/queue' : '/ui/posts', 302);
  });

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
              <button class="primary" type="submit" onclick="this.form.elements.decision.value='approve'">
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
      if (err instanceof DomainError) return redirectWith(c, `/ui/tasks/${taskId}`, 'err', err.message);
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

  ui.get('/ui/posts', async (c) => {
    const actor = c.get('actor');
    const rows = await store.listPosts(actor, 200);
    return c.html(
      <Layout title="稿件" actor={actor}>
        <h1>{actor.role === 'editor' ? '我的账号稿件' : '全部稿件'}</h1>
        <Flash c={c} />
        {actor.role === 'editor' || actor.role === 'admin' ? (
          <p>
            <a href="/ui/posts/new">+ 提交新稿件</a>
          </p>
        ) : null}
        <table>
          <thead>
            <tr>
              <th>稿件</th>
              <th>账号</th>
              <th>状态</th>
              <th>机器审核</th>
              <th>更新时间</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr data-href={`/ui/posts/${p.id}`}>
                <td>
                  <a href={`/ui/posts/${p.id}`}>{p.title || p.excerpt}</a>
                </td>
                <td>{p.account}</td>
                <td>{STATUS_LABEL[p.status] ?? p.status}</td>
                <td>
                  <Badges verdict={p.verdict} categories={p.categories} />
                </td>
                <td class="muted">{p.updatedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  ui.get('/ui/posts/new', async (c) => {
    const actor = c.get('actor');
    const accounts = await store.listAccounts(actor);
    return c.html(
      <Layout title="新建稿件" actor={actor}>
        <h1>提交新稿件</h1>
        <Flash c={c} />
        <form method="post" action="/ui/posts/new" id="newPost">
          <p>
            <label>
              账号{' '}
              <select name="account">
                {accounts.map((a) => (
                  <option value={a}>{a}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              拟发布日期 <input type="date" name="date" />
            </label>
          </p>
          <p>
            <input name="title" placeholder="标题" size={80} maxlength={500} />
          </p>
          <textarea name="body" placeholder="正文" style="min-height:260px" maxlength={50000}></textarea>
          <p>
            <button class="primary" type="submit">
              提交审核
            </button>
          </p>
        </form>
      </Layout>,
    );
  });

  ui.post('/ui/posts/new', async (c) => {
    const form = await c.req.parseBody();
    const body = String(form.body ?? '');
    if (!body.trim()) return redirectWith(c, '/ui/posts/new', 'err', '正文不能为空');
    const title = String(form.title ?? '').trim();
    const date = String(form.date ?? '').trim();
    const r = await store.submitPost(c.get('actor'), { account: String(form.account ?? ''), body, ...(title ? { title } : {}), ...(date ? { date } : {}) });
    return redirectWith(c, `/ui/posts/${r.id}`, 'msg', '已提交，正在机器审核');
  });

  ui.get('/ui/posts/:id', async (c) => {
    const actor = c.get('actor');
    const post = await store.getPost(actor, c.req.param('id'));
    const diff = await Diff({ store, actor, post });
    const canPublish = (actor.role === 'editor' || actor.role === 'admin') && (post.status === 'approved' || post.status === 'scheduled');
    const canResubmit = post.authorId === actor.id && ['changes_requested', 'rejected', 'pending_review', 'approved'].includes(post.status);
    return c.html(
      <Layout title={post.title ?? '稿件'} actor={actor}>
        <Flash c={c} />
        <p>
          <a href="/ui/posts">← 稿件</a>
        </p>
        <PostMeta post={post} />
        <PostBody post={post} />
        {canPublish ? (
          <form method="post" action={`/ui/posts/${post.id}/publish`} class="actions">
            <button class="primary" type="submit">
              发布
            </button>
          </form>
        ) : null}
        <h3>机器审核发现</h3>
        <FindingsTable post={post} canMark={false} />
        {diff}
        <Reviews post={post} />
        {canResubmit ? (
          <details>
            <summary>修改后重新提交（将作为新版本重新审核）</summary>
            <form method="post" action={`/ui/posts/${post.id}/resubmit`}>
              <p>
                <input name="title" value={post.title ?? ''} size={80} />
              </p>
              <textarea name="body" style="min-height:240px">
                {post.body}
              </textarea>
              <button type="submit">重新提交</button>
            </form>
          </details>
        ) : null}
      </Layout>,
    );
  });

  ui.post('/ui/posts/:id/publish', async (c) => {
    const id = c.req.param('id');
    const r = await store.publish(c.get('actor'), id, {});
    return redirectWith(c, `/ui/posts/${id}`, 'msg', `已发布（状态：${STATUS_LABEL[r.status] ?? r.status}）`);
  });

  ui.post('/ui/posts/:id/resubmit', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const body = String(form.body ?? '');
    const title = String(form.title ?? '');
    if (!body.trim()) return redirectWith(c, `/ui/posts/${id}`, 'err', '正文不能为空');
    const r = await store.resubmitPost(c.get('actor'), id, { body, ...(title ? { title } : {}) });
    return redirectWith(c, `/ui/posts/${id}`, 'msg', `已提交第 ${r.version} 版，正在机器审核`);
  });

  const ACTION_NAMES: Record<string, string> = { withdraw: '撤回', annotate: '加注', update: '更新', keep: '保留' };
  const KIND_NAMES: Record<string, string> = { rescan: '按现行规则复查', policy: '引用失效政策', deadline: '期限已过', link_broken: '链接失效', link_foreign: '链接不在白名单' };
  const LEVEL_NAMES: Record<string, string> = { ok: '正常', warning: '预警（≥10天未更新）', failing: '不合格（≥14天未更新）' };

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
                <td>{f.lastPublishedAt ?? '—'}</td>
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
                  <a href={`/ui/posts/${t.postId}`}>{t.account}</a>
                </td>
                <td>{KIND_NAMES[t.kind] ?? t.kind}</td>
                <td>
                  {String(t.detail.note ?? '')} <code>{String(t.detail.cited ?? t.detail.url ?? t.detail.text ?? '')}</code>
                </td>
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

  ui.get('/ui/rules', async (c) => {
    const actor = c.get('actor');
    const stats = await store.ruleStats(actor);
    return c.html(
      <Layout title="规则统计" actor={actor}>
        <h1>规则命中统计</h1>
        <table>
          <thead>
            <tr>
              <th>规则</th>
              <th>审核关口</th>
              <th>类别</th>
              <th>命中次数</th>
              <th>涉及稿件</th>
              <th>误报</th>
              <th>确认</th>
              <th>误报率</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr>
                <td>
                  <code>{s.rule}</code>
                </td>
                <td>{GATE_LABEL[s.gate] ?? s.gate}</td>
                <td>{CATEGORY_LABEL[s.category] ?? s.category}</td>
                <td>{s.hits}</td>
                <td>{s.posts}</td>
                <td>{s.falsePositives}</td>
                <td>{s.confirmed}</td>
                <td>{s.falsePositiveRate == null ? '—' : `${(s.falsePositiveRate * 100).toFixed(0)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  app.route('/', ui);
}

