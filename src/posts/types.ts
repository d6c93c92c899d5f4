/** A post as it is submitted and as the API shows it. */
import type { PostStatus } from '../review/transitions.js';
import type { Category, ClassifierResult, Hit, ModelFinding, Verdict } from '../review/types.js';
import type { DecisionView, TaskView } from '../review/tasks.js';

export interface NewPost {
  account: string;
  title?: string;
  body: string;
  platform?: string;
  /** YYYY-MM-DD; default: today. */
  date?: string;
}

export interface NewVersion {
  title?: string;
  body: string;
  platform?: string;
  date?: string;
}

export interface MachineReviewView {
  verdict: Verdict;
  categories: Category[];
  findings: Hit[];
  classifier: ClassifierResult | null;
  rulesVersion: string;
  modelVersion: string | null;
  /** True when no classifier ran on this version (rules only). */
  rulesOnly: boolean;
  /** Why the classifier did not run, when known (e.g. "classifier unavailable on Workers"). */
  classifierSkipped: string | null;
  /** The classifier's non-clean judgement as a finding, with the windows that drove it. */
  modelFinding: ModelFinding | null;
  reviewedAt: string;
}

/** A post with its current version, its machine review, its review tasks and decisions, and its publications. */
export interface PostView {
  id: string;
  status: PostStatus;
  account: string;
  authorId: number;
  version: number;
  title: string | null;
  body: string;
  platform: string | null;
  date: string;
  createdAt: string;
  updatedAt: string;
  machineReview: MachineReviewView | null;
  tasks: TaskView[];
  reviews: DecisionView[];
  /** Compliance overrides of machine blocks, oldest first: who, when, for which version and why. */
  overrides: OverrideView[];
  publications: Array<{ id: number; version: number; platform: string | null; url: string | null; publishedAt: string }>;
}

export interface OverrideView {
  version: number;
  actorId: number | null;
  actorName: string | null;
  reason: string;
  at: string;
}

export interface PostSummary {
  id: string;
  status: PostStatus;
  account: string;
  version: number;
  title: string | null;
  excerpt: string;
  verdict: Verdict | null;
  categories: string[];
  /** A compliance officer overrode the machine block of the current version. */
  overridden: boolean;
  updatedAt: string;
}

export interface DiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface VersionDiff {
  from: number;
  to: number;
  title: DiffPart[];
  body: DiffPart[];
}
