/** Pieces every page of the reviewer workspace uses: the page environment, labels, flash messages, badges, redirects. */
import type { Context } from 'hono';
import type { Actor } from '../users/actor.js';
import { CATEGORY_LABEL } from './highlight.js';

/** Every page after sign-in runs with the signed-in actor (users/page.tsx requireSession). */
export type UiEnv = { Variables: { actor: Actor } };

export const STATUS_LABEL: Record<string, string> = {
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
export const DECISION_LABEL: Record<string, string> = { approve: '通过', reject: '不予发布', request_changes: '要求修改', escalate: '上报合规' };

export function Flash({ c }: { c: Context }) {
  const msg = c.req.query('msg');
  const err = c.req.query('err');
  return (
    <>
      {msg ? <div class="flash">{msg}</div> : null}
      {err ? <div class="flash error">{err}</div> : null}
    </>
  );
}

export function Badges({ verdict, categories, high }: { verdict: string | null; categories: string[]; high?: boolean }) {
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

/** Redirects (303) to `path` with a message (`msg`) or an error (`err`) that Flash shows. */
export function redirectWith(c: Context, path: string, kind: 'msg' | 'err', text: string) {
  const sep = path.includes('?') ? '&' : '?';
  return c.redirect(`${path}${sep}${kind}=${encodeURIComponent(text)}`, 303);
}
