/** The editor's pages: the list of posts, submitting a post, a post with its review, publishing it and submitting a new version. */
import { Hono } from 'hono';
import type { Store } from '../service/programs.js';
import { Layout } from '../ui/layout.js';
import { Badges, Flash, LocalTime, redirectWith, STATUS_LABEL, type UiEnv } from '../ui/components.js';
import { Diff, FindingsTable, OverrideNotice, PostBody, PostMeta, Reviews } from '../ui/post.js';

type PostPagesStore = Pick<Store, 'listPosts' | 'listAccounts' | 'submitPost' | 'getPost' | 'versionDiff' | 'publish' | 'resubmitPost'>;

export function postPages(store: PostPagesStore) {
  const ui = new Hono<UiEnv>();

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
                  <Badges verdict={p.verdict} categories={p.categories} overridden={p.overridden} />
                </td>
                <td class="muted">
                  <LocalTime at={p.updatedAt} />
                </td>
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
          <textarea name="body" placeholder="正文" class="taller" maxlength={50000}></textarea>
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
        <OverrideNotice post={post} />
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
              <textarea name="body" class="tall">
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

  return ui;
}
