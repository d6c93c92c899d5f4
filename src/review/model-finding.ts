/**
 * The classifier's judgement turned into a finding a person can read: its
 * category and gate, a Chinese explanation with the score and model, whether
 * it raised the verdict, and the windows that drove it as spans of the post's
 * title and body (the classifier reads `title + "\n" + body`).
 */
import { CATEGORY_GATE, CATEGORIES, type Category, type ClassifierResult, type Field, type ModelFinding, type ReviewInput } from './types.js';
import { classifierRaises, type VerdictPolicy } from './verdict.js';

/** Chinese names of the classifier's labels, as reviewers read them. */
export const MODEL_LABEL: Record<string, string> = {
  clean: '正常',
  secret: '涉密',
  political: '政治敏感',
  illegal: '违法推广',
  ads: '广告引流',
  vulgar: '低俗辱骂',
};

const isCategory = (x: string): x is Category => (CATEGORIES as readonly string[]).includes(x);

/** Where offset `at` of the classified text (`title + "\n" + body`) lies in the post. */
function fieldAt(input: Pick<ReviewInput, 'title' | 'body'>, at: number): { field: Field; offset: number } {
  const t = input.title ? input.title.length + 1 : 0;
  if (input.title && at < input.title.length) return { field: 'title', offset: at };
  return { field: 'body', offset: Math.max(0, at - t) };
}

/**
 * The model finding of a classifier result, or null when the model reads the
 * post as clean (or the label is not a finding category). `action` is
 * `review` when the classifier alone raises the verdict under `policy`.
 */
export function modelFinding(input: Pick<ReviewInput, 'title' | 'body'>, classifier: ClassifierResult | null, model: string | null, policy: VerdictPolicy): ModelFinding | null {
  if (!classifier || classifier.label === 'clean' || !isCategory(classifier.label) || !model) return null;
  const raised = classifierRaises(classifier, policy);
  const name = MODEL_LABEL[classifier.label] ?? classifier.label;
  const percent = Math.round(classifier.score * 100);
  const evidence: ModelFinding['evidence'] = [];
  for (const w of classifier.evidence ?? []) {
    const a = fieldAt(input, w.start);
    const b = fieldAt(input, Math.max(w.start, w.end - 1));
    // A window across the title's end is shown on the body, where most of it lies.
    const field = a.field === b.field ? a.field : 'body';
    const text = field === 'title' ? input.title! : input.body;
    const start = a.field === field ? a.offset : 0;
    const end = Math.min(text.length, (b.field === field ? b.offset : text.length - 1) + 1);
    if (end > start) evidence.push({ field, start, end, text: text.slice(start, end), score: w.score });
  }
  const message = raised
    ? `模型判断疑似${name}（${percent}%），请人工核实${evidence.length ? '标出的语句' : '全文'}`
    : `模型倾向${name}（${percent}%），未达提示阈值，仅供参考`;
  return { category: classifier.label, gate: CATEGORY_GATE[classifier.label], score: classifier.score, model, action: raised ? 'review' : 'info', message, evidence };
}
