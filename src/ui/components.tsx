/** Pieces every page of the reviewer workspace uses: the page environment, labels, flash messages, badges, redirects. */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Actor } from '../users/actor.js';
import { CATEGORY_LABEL } from './highlight.js';
import type { DomainError, ErrorCode } from '../store/errors.js';
import { TIME_ZONE } from '../review/dates.js';

/** Every page after sign-in runs with the signed-in actor (users/page.tsx requireSession). */
export type UiEnv = { Variables: { actor: Actor; flash?: FlashMessage } };

/** A message for the next page: what the server itself said after an action. */
export interface FlashMessage {
  kind: 'msg' | 'err';
  text: string;
}

const FLASH_COOKIE = 'lastgate_flash';

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

const ERROR_LABEL: Record<ErrorCode, string> = {
  invalid: '输入有误',
  unauthorized: '未登录或令牌无效',
  forbidden: '无权进行此操作',
  not_found: '未找到',
  conflict: '操作冲突',
  too_large: '内容过长',
  upstream: '外部系统出错',
};

/** What the Chinese UI says about a refused action: the error's own Chinese message, else a sentence for its code. */
export function uiMessage(err: DomainError): string {
  return err.zh ?? `${ERROR_LABEL[err.code]}（${err.message}）`;
}

const timeFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** An instant (ISO string) in the bureau's time zone (LASTGATE_TZ), to the minute: `2026-03-02 14:05`; the exact UTC instant in its title. */
export function LocalTime({ at }: { at: string | null | undefined }) {
  if (!at) return null;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <>{at}</>;
  return (
    <time datetime={d.toISOString()} title={d.toISOString()}>
      {timeFormat.format(d)}
    </time>
  );
}

export function Flash({ c }: { c: Context }) {
  const f = c.get('flash') as FlashMessage | undefined;
  if (!f) return null;
  return f.kind === 'err' ? <div class="flash error">{f.text}</div> : <div class="flash">{f.text}</div>;
}

/** The machine verdict, two-approval and category badges; an overridden block reads 拦截（已覆盖）. */
export function Badges({ verdict, categories, high, overridden }: { verdict: string | null; categories: string[]; high?: boolean; overridden?: boolean }) {
  return (
    <>
      {verdict ? (
        <span class={`badge ${verdict}${overridden ? ' overridden' : ''}`} title={overridden ? '合规审查人员已覆盖机器拦截，送人工双人审核' : undefined}>
          {VERDICT_LABEL[verdict] ?? verdict}
          {overridden && verdict === 'block' ? '（已覆盖）' : ''}
        </span>
      ) : null}
      {high ? <span class="badge high">双人审核</span> : null}
      {categories.map((cat) => (
        <span class="badge">{CATEGORY_LABEL[cat] ?? cat}</span>
      ))}
    </>
  );
}

/**
 * Redirects (303) to `path` with a message (`msg`) or an error (`err`) that
 * Flash shows there once. The text travels in a short-lived cookie that only
 * this server sets, and the URL carries an opaque id that must match it: a
 * link with `?flash=` cannot make an official-looking box say anything, and
 * the message shows on the page it was meant for only.
 */
export function redirectWith(c: Context, path: string, kind: 'msg' | 'err', text: string) {
  const id = Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString('base64url');
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify({ id, kind, text })).toString('base64url'), { httpOnly: true, sameSite: 'Lax', path: '/ui', maxAge: 120, secure: c.req.url.startsWith('https:') });
  const sep = path.includes('?') ? '&' : '?';
  return c.redirect(`${path}${sep}flash=${id}`, 303);
}

/** Middleware: the flash message meant for this page (its id in the URL, its text in the cookie), consumed. */
export const takeFlash: MiddlewareHandler<UiEnv> = async (c, next) => {
  const id = c.req.query('flash');
  const raw = getCookie(c, FLASH_COOKIE);
  if (id && raw) {
    try {
      const f = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { id?: string; kind?: string; text?: unknown };
      if (f.id === id && (f.kind === 'msg' || f.kind === 'err') && typeof f.text === 'string') c.set('flash', { kind: f.kind, text: f.text });
    } catch {
      // An unreadable cookie shows nothing.
    }
    deleteCookie(c, FLASH_COOKIE, { path: '/ui' });
  }
  await next();
};
