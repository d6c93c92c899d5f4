/**
 * What the HTTP app needs from storage. The Node server implements it on SQLite
 * (src/store/sqlite.ts); the app depends only on this interface, so it can run
 * on other runtimes with another adapter.
 */
import type { PostStatus, Role } from '../review/transitions.js';
import type { Category, ClassifierResult, Hit, MachineReviewResult, Verdict } from '../review/types.js';
import type { Freshness } from '../accounts/freshness.js';
import type { ClassifierThresholds, VerdictPolicy } from '../review/verdict.js';
import type { Policy, PolicyInput, PolicyPatch } from '../policy/registry.js';

export type CleanupAction = 'withdraw' | 'annotate' | 'update' | 'keep';

export interface AccountSettingsInput {
  windowStart?: string | null;
  windowEnd?: string | null;
  windowDays?: string | null;
  publisher?: 'manual' | 'webhook';
  publisherUrl?: string | null;
}

export interface CleanupTaskView {
  id: number;
  postId: string;
  account: string;
  kind: string;
  key: string;
  recommendedAction: CleanupAction;
  state: 'open' | 'decided' | 'fixed';
  decision: CleanupAction | null;
  reason: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  closedAt: string | null;
}

/**
 * A value or a promise of it: members the Node implementations answer
 * synchronously and the async ones (src/store/async.ts) with a Promise. The
 * HTTP app awaits every call either way.
 */
export type MaybePromise<T> = T | Promise<T>;

/** The compliance officers' rule management as the HTTP API sees it (src/rules/admin.ts). */
export interface RulesApi {
  list(): MaybePromise<unknown[]>;
  get(id: string): MaybePromise<unknown>;
  create(actor: Actor, input: unknown): MaybePromise<unknown>;
  update(actor: Actor, id: string, input: unknown): MaybePromise<unknown>;
  setEnabled(actor: Actor, id: string, enabled: boolean): MaybePromise<unknown>;
  history(id: string): MaybePromise<unknown[]>;
  dryRun(actor: Actor, input: { rule?: unknown; rules?: unknown[]; asOf?: string; limit?: number }): Promise<{ scanned: number; matchedPosts: number; hits: number; posts: unknown[]; truncated: boolean }>;
}

/** Cleanup runs as the HTTP API sees them (src/cleanup/service.ts). */
export interface CleanupApi {
  startRun(input: { trigger: string; checks?: Array<'rescan' | 'policy' | 'deadline' | 'links'>; asOf: string; actorId?: number | null }): MaybePromise<{ id: number; percent: number; state: string }>;
  run(id: number): MaybePromise<unknown>;
  runs(limit?: number): MaybePromise<unknown[]>;
}

export interface Actor {
  id: number;
  name: string;
  role: Role;
  accountIds: number[];
}

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
  reviewedAt: string;
}

export type TaskState = 'open' | 'claimed' | 'done' | 'void';

export interface TaskView {
  id: number;
  postId: string;
  versionId: number;
  version: number;
  state: TaskState;
  requiredApprovals: number;
  approvals: number;
  assignedRole: 'reviewer' | 'compliance';
  riskScore: number;
  claimedBy: number | null;
  leaseExpiresAt: string | null;
  createdAt: string;
}

export interface DecisionView {
  id: number;
  taskId: number;
  version: number;
  reviewerId: number;
  reviewerName: string;
  decision: 'approve' | 'reject' | 'request_changes' | 'escalate';
  reason: string | null;
  createdAt: string;
}

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
  publications: Array<{ id: number; version: number; platform: string | null; url: string | null; publishedAt: string }>;
}

export interface TaskQuery {
  postId?: string;
  state?: TaskState;
  limit: number;
}

export interface Decision {
  decision: 'approve' | 'reject' | 'request_changes' | 'escalate';
  reason?: string;
}

export interface QueueFilter {
  account?: string;
  unit?: string;
  category?: string;
  risk?: 'high' | 'normal';
  limit?: number;
}

export interface QueueItem {
  id: number;
  postId: string;
  versionId: number;
  version: number;
  requiredApprovals: number;
  approvals: number;
  assignedRole: 'reviewer' | 'compliance';
  riskScore: number;
  claimedBy: number | null;
  claimedByName: string | null;
  title: string | null;
  excerpt: string;
  date: string;
  account: string;
  unit: string | null;
  verdict: Verdict | null;
  categories: string[];
  createdAt: string;
}

export interface QueueCounts {
  total: number;
  high: number;
  byAccount: Record<string, number>;
  byCategory: Record<string, number>;
}

export interface RuleStat {
  rule: string;
  gate: string;
  category: string;
  hits: number;
  posts: number;
  falsePositives: number;
  confirmed: number;
  falsePositiveRate: number | null;
}

export interface ReasonTemplate {
  id: number;
  decision: 'reject' | 'request_changes' | 'escalate' | 'override';
  text: string;
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

export interface PostSummary {
  id: string;
  status: PostStatus;
  account: string;
  version: number;
  title: string | null;
  excerpt: string;
  verdict: Verdict | null;
  categories: string[];
  updatedAt: string;
}

export interface Store {
  authenticate(token: string): Promise<Actor | null>;
  submitPost(actor: Actor, post: NewPost): Promise<{ id: string; status: PostStatus; version: number }>;
  resubmitPost(actor: Actor, postId: string, version: NewVersion): Promise<{ id: string; status: PostStatus; version: number }>;
  getPost(actor: Actor, postId: string): Promise<PostView>;
  listTasks(actor: Actor, query: TaskQuery): Promise<TaskView[]>;
  getTask(actor: Actor, taskId: number): Promise<TaskView>;
  claimTask(actor: Actor, taskId: number): Promise<TaskView>;
  decide(actor: Actor, taskId: number, decision: Decision): Promise<{ task: TaskView; status: PostStatus }>;
  publish(actor: Actor, postId: string, target: { platform?: string; url?: string; overrideReason?: string }): Promise<{ id: string; status: PostStatus; publicationId: number; url: string | null }>;
  schedulePost(actor: Actor, postId: string, input: { publishAt: string; embargoUntil?: string; overrideReason?: string }): Promise<{ id: string; status: PostStatus; publishAt: string }>;
  setAccountSettings(actor: Actor, account: string, input: AccountSettingsInput): Promise<unknown>;
  accountFreshness(today: string): MaybePromise<Freshness[]>;
  listCleanupTasks(actor: Actor, q: { postId?: string; state?: 'open' | 'decided' | 'fixed'; kind?: string; limit: number }): Promise<CleanupTaskView[]>;
  decideCleanupTask(actor: Actor, taskId: number, input: { action: CleanupAction; reason?: string }): Promise<{ id: number; state: 'decided'; decision: CleanupAction; postStatus: PostStatus }>;
  addPolicy(actor: Actor, input: PolicyInput): Promise<{ policy: Policy; created: boolean; previous: Policy | null }>;
  updatePolicy(actor: Actor, id: number, patch: PolicyPatch): Promise<{ policy: Policy; previous: Policy }>;
  importPolicies(actor: Actor, rows: PolicyInput[]): Promise<{ created: number; updated: number }>;
  listPolicies(): MaybePromise<Policy[]>;
  verdictPolicy(): MaybePromise<VerdictPolicy>;
  setClassifierThresholds(actor: Actor, overrides: Record<string, Partial<ClassifierThresholds>>): Promise<VerdictPolicy>;
  previewPolicyChange(actor: Actor, change: { id?: number; docNo?: string; title?: string; status: PolicyInput['status'] }): Promise<{ policyId: number | null; wouldFlag: number; citing: number; posts: Array<{ postId: string; account: string; title: string | null; cited: string }> }>;
  queue(actor: Actor, filter?: QueueFilter): Promise<{ items: QueueItem[]; counts: QueueCounts }>;
  renewClaim(actor: Actor, taskId: number): Promise<TaskView>;
  releaseClaim(actor: Actor, taskId: number): Promise<TaskView>;
  overrideBlock(actor: Actor, postId: string, reason: string): Promise<{ id: string; status: PostStatus }>;
  markFinding(actor: Actor, postId: string, findingIndex: number, mark: 'false_positive' | 'confirmed'): Promise<void>;
  ruleStats(actor: Actor): Promise<RuleStat[]>;
  listReasonTemplates(): Promise<ReasonTemplate[]>;
  addReasonTemplate(actor: Actor, t: Omit<ReasonTemplate, 'id'>): Promise<ReasonTemplate>;
  disableReasonTemplate(actor: Actor, id: number): Promise<void>;
  versionDiff(actor: Actor, postId: string, from: number, to: number): Promise<VersionDiff>;
  addWebhook(actor: Actor, input: { account?: string; url: string }): Promise<{ id: number; secret: string }>;
  listPosts(actor: Actor, limit?: number): Promise<PostSummary[]>;
  listAccounts(actor: Actor): Promise<string[]>;
}

/** Called by queue transports when a machine review finished. Idempotent per version. */
export interface MachineReviewSink {
  applyMachineReview(versionId: number, result: MachineReviewResult, durationMs?: number): void;
}
