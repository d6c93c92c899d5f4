/**
 * What a cleanup run checks on each published post, as pure functions: the
 * problems a post has today (findings of today's rules, citations of policies
 * no longer in force, passed deadlines, broken or off-list links), each with
 * the action recommended to people. Reading the posts and writing the tasks is
 * runs.ts.
 */
import type { Hit } from '../review/types.js';
import type { Policy } from '../policy/registry.js';
import type { cleanupTasks } from '../db/schema.js';
import { passedDeadlines } from './deadlines.js';
import { findLinks, hostAllowed, type LinkProblem } from './links.js';

export const CHECKS = ['rescan', 'policy', 'deadline', 'links'] as const;
export type Check = (typeof CHECKS)[number];
export type Kind = (typeof cleanupTasks.$inferSelect)['kind'];
type Action = 'withdraw' | 'annotate' | 'update' | 'keep';

/** Which task kinds each check owns (and may therefore close). */
export const CHECK_KINDS: Record<Check, Kind[]> = {
  rescan: ['rescan'],
  policy: ['policy'],
  deadline: ['deadline'],
  links: ['link_broken', 'link_foreign'],
};

export interface Problem {
  kind: Kind;
  key: string;
  recommendedAction: Action;
  detail: Record<string, unknown>;
}

/** The text a check reads: title and body. */
export const scanText = (p: { title: string | null; body: string }) => (p.title ? `${p.title}\n${p.body}` : p.body);

/** What the checks found about one post, in check order (rescan, policy, deadline, links). */
export function postProblems(input: {
  text: string;
  /** The checks of the run that apply (rescan only with the processor's result). */
  checks: ReadonlySet<Check>;
  /** Today's rule findings on the post (rescan check). */
  hits: Hit[];
  /** The registry's policies the post cites (policy check), or null without the policy check. */
  cited: Array<{ policy: Policy; text: string }> | null;
  asOf: string;
  /** Checked links (links check), or null without it. */
  linkResults: Map<string, LinkProblem> | null;
  allow: string[];
}): Problem[] {
  const { text, checks, cited, linkResults, allow } = input;
  const problems: Problem[] = [];
  if (checks.has('rescan')) problems.push(...rescanProblems(input.hits));
  if (cited) {
    for (const c of cited) {
      if (c.policy.status !== 'effective') {
        problems.push({
          kind: 'policy',
          key: `policy:${c.policy.id}`,
          recommendedAction: c.policy.status === 'amended' ? 'update' : 'annotate',
          detail: { policyId: c.policy.id, docNo: c.policy.docNo, title: c.policy.title, status: c.policy.status, replacedBy: c.policy.replacedBy, cited: c.text, note: policyNote(c.policy.status, c.policy.replacedBy) },
        });
      }
    }
  }
  if (checks.has('deadline')) {
    for (const d of passedDeadlines(text, input.asOf)) {
      problems.push({ kind: 'deadline', key: `deadline:${d.date}`, recommendedAction: 'annotate', detail: { date: d.date, text: d.text, note: '所述期限已过，建议加注“已截止”或更新' } });
    }
  }
  if (linkResults) {
    for (const l of findLinks(text)) {
      const host = new URL(l.url).hostname;
      if (!hostAllowed(host, allow)) problems.push({ kind: 'link_foreign', key: l.url, recommendedAction: 'update', detail: { url: l.url, host, note: '链接指向白名单以外的网站' } });
      const r = linkResults.get(l.url);
      if (r && r.kind !== 'ok') problems.push({ kind: 'link_broken', key: l.url, recommendedAction: 'update', detail: { url: l.url, ...r, note: linkNote(r) } });
    }
  }
  return problems;
}

export function rescanProblems(hits: Hit[]): Problem[] {
  return hits.map((h) => ({
    kind: 'rescan' as const,
    key: `${h.rule}:${h.field}:${h.start}-${h.end}`,
    recommendedAction: h.action === 'block' ? ('withdraw' as const) : ('update' as const),
    detail: { rule: h.rule, field: h.field, start: h.start, end: h.end, text: h.text, gate: h.gate, category: h.category, severity: h.severity, action: h.action, ...(h.suggestion ? { suggestion: h.suggestion } : {}), ...(h.message ? { note: h.message } : {}) },
  }));
}

function policyNote(status: string, replacedBy: string | null): string {
  const base = { repealed: '本文件已废止', expired: '本文件已失效', amended: '本文件已修改', effective: '' }[status] ?? '';
  return replacedBy ? `${base}，请参见${replacedBy}` : base;
}

function linkNote(r: LinkProblem): string {
  switch (r.kind) {
    case 'http_error':
      return `链接无法访问（HTTP ${r.status}）`;
    case 'dns':
      return '链接域名无法解析';
    case 'timeout':
      return '链接访问超时';
    case 'redirect_offsite':
      return `链接被跳转到其他网站：${r.location}`;
    case 'unreachable':
      return `链接无法访问：${r.message}`;
    case 'blocked_address':
      return `链接指向${r.reason}（${r.address}），出于安全未访问，请人工核实`;
    default:
      return '';
  }
}
