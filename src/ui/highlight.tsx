/**
 * Renders a post field with every machine finding highlighted in place. Findings
 * may overlap, so the text is cut at every finding boundary and each piece is
 * marked with all the findings that cover it (coloured by the most severe one).
 * Text is always rendered as text: hono/jsx escapes it, nothing is parsed as HTML.
 */
import type { Hit } from '../review/types.js';

export interface Segment {
  text: string;
  /** Indexes into the findings array, most severe first. */
  findings: number[];
}

const SEVERITY_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** Cuts `text` into segments at finding boundaries (pure; unit-tested). */
export function segments(text: string, hits: ReadonlyArray<Pick<Hit, 'start' | 'end' | 'severity'>>, indexes: number[]): Segment[] {
  const cuts = new Set<number>([0, text.length]);
  for (const i of indexes) {
    const h = hits[i]!;
    cuts.add(Math.max(0, Math.min(text.length, h.start)));
    cuts.add(Math.max(0, Math.min(text.length, h.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    if (a === b) continue;
    const covering = indexes
      .filter((i) => hits[i]!.start <= a && hits[i]!.end >= b)
      .sort((x, y) => (SEVERITY_RANK[hits[y]!.severity] ?? 0) - (SEVERITY_RANK[hits[x]!.severity] ?? 0));
    const prev = out[out.length - 1];
    if (prev && prev.findings.join() === covering.join()) prev.text += text.slice(a, b);
    else out.push({ text: text.slice(a, b), findings: covering });
  }
  return out;
}

export const GATE_LABEL: Record<string, string> = {
  political: '政治关',
  legal: '法律关',
  policy: '政策关',
  confidentiality: '保密关',
  text: '文字关',
};

export const CATEGORY_LABEL: Record<string, string> = {
  political: '政治',
  illegal: '违法',
  pii: '个人信息',
  ads: '广告',
  stale: '过时',
  secret: '涉密',
  vulgar: '低俗',
  wording: '用语',
};

export const SEVERITY_LABEL: Record<string, string> = { critical: '严重', high: '高', medium: '中', low: '低' };
export const ACTION_LABEL: Record<string, string> = { block: '拦截', review: '需人工审核', info: '提示' };

export function FindingTip({ hit }: { hit: Hit }) {
  return (
    <span class="tip" role="tooltip">
      <b>{GATE_LABEL[hit.gate] ?? hit.gate}</b> · {CATEGORY_LABEL[hit.category] ?? hit.category} · 严重程度：{SEVERITY_LABEL[hit.severity] ?? hit.severity} · {ACTION_LABEL[hit.action] ?? hit.action}
      <br />
      规则：<code>{hit.rule}</code>
      {hit.message ? (
        <>
          <br />
          {hit.message}
        </>
      ) : null}
      {hit.suggestion ? (
        <>
          <br />
          建议：{hit.suggestion}
        </>
      ) : null}
    </span>
  );
}

/** The field's text with findings as focusable, coloured marks carrying their explanation. */
export function Highlighted({ text, hits, field }: { text: string; hits: Hit[]; field: 'title' | 'body' }) {
  const indexes = hits.map((h, i) => (h.field === field ? i : -1)).filter((i) => i >= 0);
  return (
    <>
      {segments(text, hits, indexes).map((seg) => {
        if (seg.findings.length === 0) return seg.text;
        const top = hits[seg.findings[0]!]!;
        return (
          <mark class={`f gate-${top.gate}`} tabindex={0} data-findings={seg.findings.join(',')} aria-label={`${GATE_LABEL[top.gate] ?? top.gate}：${top.rule}`}>
            {seg.text}
            {seg.findings.map((i) => (
              <FindingTip hit={hits[i]!} />
            ))}
          </mark>
        );
      })}
    </>
  );
}
