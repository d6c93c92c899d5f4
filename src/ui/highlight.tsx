/**
 * Renders a post field with every machine finding highlighted in place. Findings
 * may overlap, so the text is cut at every finding boundary and each piece is
 * marked with all the findings that cover it (coloured by the most severe one).
 * Text is always rendered as text: hono/jsx escapes it, nothing is parsed as HTML.
 */
import type { Hit, ModelFinding } from '../review/types.js';
import { MODEL_LABEL } from '../review/model-finding.js';

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

/** The explanation of a window the classifier read as not clean. */
export function ModelTip({ finding, score }: { finding: ModelFinding; score: number }) {
  return (
    <span class="tip" role="tooltip">
      <b>模型依据</b> · {GATE_LABEL[finding.gate] ?? finding.gate} · {MODEL_LABEL[finding.category] ?? CATEGORY_LABEL[finding.category] ?? finding.category}（此句 {Math.round(score * 100)}%）
      <br />
      {finding.message}
      <br />
      模型：<code>{finding.model}</code>，无规则命中时由人工判断
    </span>
  );
}

/**
 * The field's text with findings as focusable, coloured marks carrying their
 * explanation, and the windows that drove the classifier's judgement shaded
 * (a model window has no rule behind it: it says where to read, not what is wrong).
 */
export function Highlighted({ text, hits, field, model }: { text: string; hits: Hit[]; field: 'title' | 'body'; model?: ModelFinding | null }) {
  const windows = (model?.evidence ?? []).filter((w) => w.field === field);
  // Rule findings first, then model windows (severity low: a rule finding covering the same text comes first).
  const all: Array<Pick<Hit, 'start' | 'end' | 'severity'>> = [...hits, ...windows.map((w) => ({ start: w.start, end: w.end, severity: 'low' as const }))];
  const indexes = [...hits.map((h, i) => (h.field === field ? i : -1)).filter((i) => i >= 0), ...windows.map((_, j) => hits.length + j)];
  return (
    <>
      {segments(text, all, indexes).map((seg) => {
        if (seg.findings.length === 0) return seg.text;
        const rules = seg.findings.filter((i) => i < hits.length);
        const shades = seg.findings.filter((i) => i >= hits.length).map((i) => windows[i - hits.length]!);
        if (rules.length === 0) {
          return (
            <mark class="f model" tabindex={0} aria-label={`模型依据：${MODEL_LABEL[model!.category] ?? model!.category}`}>
              {seg.text}
              <ModelTip finding={model!} score={shades[0]!.score} />
            </mark>
          );
        }
        const top = hits[rules[0]!]!;
        return (
          <mark class={`f gate-${top.gate}`} tabindex={0} data-findings={rules.join(',')} aria-label={`${GATE_LABEL[top.gate] ?? top.gate}：${top.rule}`}>
            {seg.text}
            {rules.map((i) => (
              <FindingTip hit={hits[i]!} />
            ))}
            {shades.length ? <ModelTip finding={model!} score={shades[0]!.score} /> : null}
          </mark>
        );
      })}
    </>
  );
}
