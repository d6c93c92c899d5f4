/**
 * Shared vocabulary of machine review: what goes into the processor and what
 * comes out. The rule engine, the classifier, the queue transports, the HTTP API
 * and `lastgate scan` all speak these types, so they are the one contract between
 * the halves of the pipeline.
 */

/** The five gates of 国办发〔2018〕123号. */
export const GATES = ['political', 'legal', 'policy', 'confidentiality', 'text'] as const;
export type Gate = (typeof GATES)[number];

/** Finding categories; each belongs to exactly one gate (see CATEGORY_GATE). */
export const CATEGORIES = ['political', 'illegal', 'pii', 'ads', 'stale', 'secret', 'vulgar', 'wording'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_GATE: Record<Category, Gate> = {
  political: 'political',
  illegal: 'legal',
  pii: 'legal',
  ads: 'legal',
  stale: 'policy',
  secret: 'confidentiality',
  vulgar: 'text',
  wording: 'text',
};

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a finding asks for: send back to the editor, make a human look, or just note. */
export const ACTIONS = ['block', 'review', 'info'] as const;
export type Action = (typeof ACTIONS)[number];

export const VERDICTS = ['pass', 'review', 'block'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type Field = 'title' | 'body';

/** A post version as machine review sees it. */
export interface ReviewInput {
  id: string;
  title?: string;
  body: string;
  platform?: string;
  account?: string;
  /** Intended publication day, `YYYY-MM-DD`; time-aware rules use it. */
  date: string;
}

/**
 * One finding. `start`/`end` are JavaScript string offsets into the ORIGINAL
 * field, so `input[field].slice(start, end) === text`, evasion characters included.
 */
export interface Hit {
  field: Field;
  start: number;
  end: number;
  text: string;
  rule: string;
  category: Category;
  gate: Gate;
  severity: Severity;
  action: Action;
  suggestion?: string;
  /** Short Chinese explanation shown to editors and reviewers. */
  message?: string;
}

export interface ClassifierResult {
  label: string;
  score: number;
  /** Every label's probability, when the model gives them. */
  scores?: Record<string, number>;
  /**
   * The windows of the text that drove the score, strongest first (at most
   * about 3, no two overlapping, only windows whose own top label is not
   * `clean`; empty when there are none): JavaScript string offsets into the
   * text given to `classify`, so `text.slice(start, end)` is the window.
   * Absent for models that cannot tell (1.x).
   */
  evidence?: Array<{ start: number; end: number; label: string; score: number }>;
}

/**
 * The classifier's judgement as a finding of the post: it has no span of its
 * own (the model reads the whole post), so it carries the windows that drove
 * it, as offsets into the post's fields for the reviewer UI to shade. It
 * raises the verdict to `review` at most (`action`), never blocks: a block
 * needs a rule finding with a span a person can see. Below the thresholds the
 * model's view is still recorded (`action: info`).
 */
export interface ModelFinding {
  /** The model's top non-clean label, as a finding category. */
  category: Category;
  gate: Gate;
  score: number;
  /** `<name>-<version>` of the model. */
  model: string;
  /** `review` when the classifier alone raised the verdict (its threshold reached), else `info`. */
  action: 'review' | 'info';
  /** Why, in Chinese, for editors and reviewers. */
  message: string;
  /** The windows that drove the score, as spans of the post's fields. */
  evidence: Array<{ field: Field; start: number; end: number; text: string; score: number }>;
}

/** Output of the machine-review processor for one post version. */
export interface MachineReviewResult {
  verdict: Verdict;
  categories: Category[];
  hits: Hit[];
  classifier: ClassifierResult | null;
  rulesVersion: string;
  modelVersion: string | null;
  /** The classifier's non-clean judgement as a finding (null when the post reads clean or no classifier ran). */
  modelFinding?: ModelFinding | null;
  /**
   * Set when machine review ran rules only because no classifier could run
   * (e.g. "classifier unavailable on Workers"); the post still goes to human
   * review like every post.
   */
  classifierSkipped?: string | null;
}

/** The rule half of machine review (issue: rule engine). */
export interface RuleMatcher {
  /** Content hash of the compiled packs; recorded in every machine review. */
  readonly version: string;
  scan(input: ReviewInput): Hit[];
}

/** The model half of machine review (issue: local classifier). */
export interface TextClassifier {
  /** `<name>-<version>` of the model directory under models/. */
  readonly version: string;
  classify(texts: string[]): Promise<ClassifierResult[]>;
}
