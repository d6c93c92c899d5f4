/** A post as the post page and the review task page show it: meta line, highlighted text, findings, review record, version diff. */
import type { Actor } from '../users/actor.js';
import type { PostView } from '../posts/types.js';
import type { Hit } from '../review/types.js';
import type { Store } from '../service/programs.js';
import { ACTION_LABEL, CATEGORY_LABEL, GATE_LABEL, Highlighted, SEVERITY_LABEL } from './highlight.js';
import { MODEL_LABEL } from '../review/model-finding.js';
import { Badges, DECISION_LABEL, LocalTime, STATUS_LABEL } from './components.js';

export function FindingsTable({ post, canMark }: { post: PostView; canMark: boolean }) {
  const hits = (post.machineReview?.findings ?? []) as Hit[];
  if (hits.length === 0) {
    const model = post.machineReview?.modelFinding;
    return <p class="muted">{model?.action === 'review' ? '规则未命中；本稿因模型判断送人工审核（见上方标注）。' : '机器审核未发现问题。'}</p>;
  }
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
                <form method="post" action={`/ui/posts/${post.id}/findings/${i}/mark`} class="inline">
                  <input type="hidden" name="mark" value="false_positive" />
                  <button type="submit">误报</button>
                </form>{' '}
                <form method="post" action={`/ui/posts/${post.id}/findings/${i}/mark`} class="inline">
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

export function PostBody({ post }: { post: PostView }) {
  const hits = (post.machineReview?.findings ?? []) as Hit[];
  return (
    <article class="post" id="post">
      {post.title ? (
        <h2>
          <Highlighted text={post.title} hits={hits} field="title" model={post.machineReview?.modelFinding ?? null} />
        </h2>
      ) : null}
      <Highlighted text={post.body} hits={hits} field="body" model={post.machineReview?.modelFinding ?? null} />
    </article>
  );
}

export function PostMeta({ post }: { post: PostView }) {
  const mr = post.machineReview;
  return (
    <p>
      <b>{post.account}</b> · 第 {post.version} 版 · 拟发布日期 {post.date} · 状态：<b id="status">{STATUS_LABEL[post.status] ?? post.status}</b>{' '}
      {mr ? <Badges verdict={mr.verdict} categories={mr.categories} overridden={post.overrides.some((o) => o.version === post.version)} /> : <span class="badge">机器审核中</span>}
      {mr?.modelFinding ? (
        <span class={mr.modelFinding.action === 'review' ? 'model-raised' : 'muted'} id="model-finding">
          {' '}
          · {mr.modelFinding.message}
        </span>
      ) : mr?.classifier ? (
        <span class="muted" id="model-finding">
          {' '}
          · 模型判断{MODEL_LABEL[mr.classifier.label] ?? mr.classifier.label}（{Math.round(mr.classifier.score * 100)}%）
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

/** Overrides of machine blocks and reviewers' decisions, oldest first, each with who, when and why. */
export function Reviews({ post }: { post: PostView }) {
  if (post.reviews.length === 0 && post.overrides.length === 0) return null;
  const entries = [
    ...post.overrides.map((o) => ({ at: o.at, el: (
      <li class="override">
        第 {o.version} 版 · {o.actorName ?? '系统'}：<b>覆盖机器拦截</b>（{o.reason}） <span class="muted"><LocalTime at={o.at} /></span>
      </li>
    ) })),
    ...post.reviews.map((r) => ({ at: r.createdAt, el: (
      <li>
        第 {r.version} 版 · {r.reviewerName}：{DECISION_LABEL[r.decision] ?? r.decision}
        {r.reason ? `（${r.reason}）` : ''} <span class="muted"><LocalTime at={r.createdAt} /></span>
      </li>
    ) })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return (
    <>
      <h3>审核记录</h3>
      <ul id="reviews">{entries.map((e) => e.el)}</ul>
    </>
  );
}

/** A notice that the machine block of the current version was overridden, with the officer and the reason. */
export function OverrideNotice({ post }: { post: PostView }) {
  const o = [...post.overrides].reverse().find((x) => x.version === post.version);
  if (!o) return null;
  return (
    <p class="flash" id="override">
      机器拦截已由 <b>{o.actorName ?? '系统'}</b> 于 <LocalTime at={o.at} /> 覆盖，理由：{o.reason}。本版本须由两名其他审核员通过。
    </p>
  );
}

export async function Diff({ store, actor, post }: { store: Pick<Store, 'versionDiff'>; actor: Actor; post: PostView }) {
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
