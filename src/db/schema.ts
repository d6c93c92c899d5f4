/**
 * The database schema (drizzle, SQLite dialect). SQLite is the source of truth:
 * queues only carry work derived from these rows. Invariants that must hold
 * whatever the caller does (immutable versions, separation of duties, approvals
 * before publication, append-only audit) are enforced again by triggers in the
 * migrations, not only by the application code.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

/** Responsible units (局宣教中心, 市社保中心, …). */
export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
});

/** Accounts of the matrix (人社官微, 上海社保, …). */
export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  platform: text('platform', { enum: ['wechat', 'weibo', 'website', 'other'] }).notNull(),
  unitId: integer('unit_id').references(() => units.id),
  lead: integer('lead', { mode: 'boolean' }).notNull().default(false),
  /** When the account joined the matrix: freshness counts a silent account's lapse from here. */
  joinedAt: text('joined_at'),
  /** A retired account takes no new posts; its published archive is still cleaned up. */
  retiredAt: text('retired_at'),
});

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role', { enum: ['editor', 'reviewer', 'compliance', 'admin'] }).notNull(),
  /** sha256 of the bearer token; the token itself is shown once and never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: text('created_at').notNull().default(now),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  /** The token stops working at this instant (null: no expiry); rotation replaces hash and expiry. */
  tokenExpiresAt: text('token_expires_at'),
});

/**
 * Reviewer-workspace sessions: the UI cookie carries a random session id, never
 * the API token; only its sha256 is stored. Deleted on sign-out, on disable and
 * on token rotation; refused after `expiresAt`.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Which accounts an editor may submit to. */
export const userAccounts = sqliteTable(
  'user_accounts',
  {
    userId: integer('user_id').notNull().references(() => users.id),
    accountId: integer('account_id').notNull().references(() => accounts.id),
  },
  (t) => [uniqueIndex('user_accounts_pk').on(t.userId, t.accountId)],
);

export const POST_STATUSES = [
  'submitted',
  'changes_requested',
  'pending_review',
  'approved',
  'rejected',
  'scheduled',
  'published',
  'withdrawn',
  'annotated',
] as const;

export const posts = sqliteTable(
  'posts',
  {
    id: text('id').primaryKey(),
    accountId: integer('account_id').notNull().references(() => accounts.id),
    authorId: integer('author_id').notNull().references(() => users.id),
    status: text('status', { enum: POST_STATUSES }).notNull(),
    currentVersion: integer('current_version').notNull(),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('posts_account_status').on(t.accountId, t.status), index('posts_status').on(t.status)],
);

/** Immutable content of each submission of a post (a trigger refuses UPDATE). */
export const postVersions = sqliteTable(
  'post_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull().references(() => posts.id),
    version: integer('version').notNull(),
    title: text('title'),
    body: text('body').notNull(),
    platform: text('platform'),
    /** Intended publication day (YYYY-MM-DD); time-aware rules use it. */
    publishDate: text('publish_date').notNull(),
    contentHash: text('content_hash').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('post_versions_post_version').on(t.postId, t.version)],
);

/** One machine review per version: the unique index makes re-runs idempotent. */
export const machineReviews = sqliteTable('machine_reviews', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  versionId: integer('version_id').notNull().unique().references(() => postVersions.id),
  verdict: text('verdict', { enum: ['pass', 'review', 'block'] }).notNull(),
  categories: text('categories', { mode: 'json' }).$type<string[]>().notNull(),
  findings: text('findings', { mode: 'json' }).$type<unknown[]>().notNull(),
  classifier: text('classifier', { mode: 'json' }).$type<unknown>(),
  rulesVersion: text('rules_version').notNull(),
  modelVersion: text('model_version'),
  /** Why the classifier did not run (null when it ran, or when rules only was asked for without a reason). */
  classifierSkipped: text('classifier_skipped'),
  /** The classifier's judgement as a finding (ModelFinding), null when it read the post as clean or did not run. */
  modelFinding: text('model_finding', { mode: 'json' }).$type<unknown>(),
  durationMs: integer('duration_ms'),
  createdAt: text('created_at').notNull().default(now),
});

/** Human review of one version. Voided when a newer version is submitted. */
export const reviewTasks = sqliteTable(
  'review_tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull().references(() => posts.id),
    versionId: integer('version_id').notNull().unique().references(() => postVersions.id),
    state: text('state', { enum: ['open', 'done', 'void'] }).notNull().default('open'),
    requiredApprovals: integer('required_approvals').notNull(),
    /** Role that must decide next: `compliance` after an escalation. */
    assignedRole: text('assigned_role', { enum: ['reviewer', 'compliance'] }).notNull().default('reviewer'),
    riskScore: integer('risk_score').notNull().default(0),
    claimedBy: integer('claimed_by').references(() => users.id),
    leaseExpiresAt: text('lease_expires_at'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('review_tasks_state').on(t.state, t.riskScore)],
);

export const DECISIONS = ['approve', 'reject', 'request_changes', 'escalate'] as const;

export const decisions = sqliteTable(
  'decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id').notNull().references(() => reviewTasks.id),
    postId: text('post_id').notNull().references(() => posts.id),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    reviewerId: integer('reviewer_id').notNull().references(() => users.id),
    decision: text('decision', { enum: DECISIONS }).notNull(),
    reason: text('reason'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('decisions_version').on(t.versionId)],
);

export const publications = sqliteTable(
  'publications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull().references(() => posts.id),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    /** The post's account, kept here so account freshness is one index lookup. */
    accountId: integer('account_id').references(() => accounts.id),
    publishedBy: integer('published_by').notNull().references(() => users.id),
    platform: text('platform'),
    url: text('url'),
    publishedAt: text('published_at').notNull().default(now),
  },
  (t) => [index('publications_post').on(t.postId), index('publications_account_time').on(t.accountId, t.publishedAt)],
);

/**
 * Work to hand to a queue, written in the same transaction as the post. A
 * dispatcher moves pending rows to the transport; the row is completed when the
 * result is applied, so nothing accepted is lost if the transport is down.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['machine_review'] }).notNull(),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    state: text('state', { enum: ['pending', 'dispatched', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    availableAt: text('available_at').notNull().default(now),
    dispatchedAt: text('dispatched_at'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('outbox_kind_version').on(t.kind, t.versionId), index('outbox_state').on(t.state, t.availableAt)],
);

/**
 * Append-only, hash-chained audit log: `hash = sha256(prevHash + canonical row)`.
 * Triggers refuse UPDATE and DELETE; `lastgate audit verify` detects edits made
 * behind the application's back (a missing seq or a broken chain).
 */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  actorId: integer('actor_id'),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  data: text('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/** A reviewer's verdict on one machine finding: feeds per-rule false-positive statistics. */
export const findingMarks = sqliteTable(
  'finding_marks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    findingIndex: integer('finding_index').notNull(),
    rule: text('rule').notNull(),
    reviewerId: integer('reviewer_id').notNull().references(() => users.id),
    mark: text('mark', { enum: ['false_positive', 'confirmed'] }).notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('finding_marks_one_per_reviewer').on(t.versionId, t.findingIndex, t.reviewerId), index('finding_marks_rule').on(t.rule)],
);

/** Reason texts compliance officers prepare for reviewers' decisions. */
export const reasonTemplates = sqliteTable('reason_templates', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  decision: text('decision', { enum: ['reject', 'request_changes', 'escalate', 'override'] }).notNull(),
  text: text('text').notNull(),
  createdBy: integer('created_by').references(() => users.id),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: text('created_at').notNull().default(now),
});

/** Signed webhooks on post state changes; `accountId` null means every account. */
export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  accountId: integer('account_id').references(() => accounts.id),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdBy: integer('created_by').references(() => users.id),
  createdAt: text('created_at').notNull().default(now),
});

/** One delivery of one event to one webhook; written with the change, sent after commit, retried. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: integer('webhook_id').notNull().references(() => webhooks.id),
    event: text('event').notNull(),
    payload: text('payload').notNull(),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    availableAt: text('available_at').notNull().default(now),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('webhook_deliveries_state').on(t.state, t.availableAt)],
);

/**
 * Publishing rules of an account (时度效): a daily window in the bureau's time
 * zone on some weekdays, and how publications reach the platform. No row: the
 * account publishes at any time, by hand.
 */
export const accountSettings = sqliteTable('account_settings', {
  accountId: integer('account_id').primaryKey().references(() => accounts.id),
  /** `HH:MM` local time; both null = no window. */
  windowStart: text('window_start'),
  windowEnd: text('window_end'),
  /** ISO weekdays allowed, e.g. `12345`; null = every day. */
  windowDays: text('window_days'),
  publisher: text('publisher', { enum: ['manual', 'webhook'] }).notNull().default('manual'),
  publisherUrl: text('publisher_url'),
  publisherSecret: text('publisher_secret'),
});

/** When an approved post goes out; the scheduler publishes due rows. */
export const schedules = sqliteTable('schedules', {
  postId: text('post_id').primaryKey().references(() => posts.id),
  versionId: integer('version_id').notNull().references(() => postVersions.id),
  publishAt: text('publish_at').notNull(),
  /** Not before this instant, whatever the window (embargo). */
  embargoUntil: text('embargo_until'),
  overrideReason: text('override_reason'),
  scheduledBy: integer('scheduled_by').notNull().references(() => users.id),
  createdAt: text('created_at').notNull().default(now),
});

/** The policy registry (规范性文件) that posts cite. */
export const policies = sqliteTable(
  'policies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    docNo: text('doc_no').unique(),
    title: text('title').notNull(),
    issuedAt: text('issued_at'),
    status: text('status', { enum: ['effective', 'amended', 'repealed', 'expired'] }).notNull(),
    replacedBy: text('replaced_by'),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [index('policies_title').on(t.title)],
);

/** Which policy a published version cites, by 文号 or by its exact title in 《》. */
export const citations = sqliteTable(
  'citations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull().references(() => posts.id),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    policyId: integer('policy_id').notNull().references(() => policies.id),
    kind: text('kind', { enum: ['doc_no', 'title'] }).notNull(),
    start: integer('start').notNull(),
    end: integer('end').notNull(),
    text: text('text').notNull(),
  },
  (t) => [uniqueIndex('citations_unique').on(t.versionId, t.policyId, t.start), index('citations_policy').on(t.policyId)],
);

export const CLEANUP_KINDS = ['rescan', 'policy', 'deadline', 'link_broken', 'link_foreign'] as const;

/**
 * One problem with one published post. `key` identifies the problem (a rule and
 * span, a policy, a URL), so repeated scans find the open task instead of
 * opening another; a scan that no longer finds the problem closes it.
 */
export const cleanupTasks = sqliteTable(
  'cleanup_tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull().references(() => posts.id),
    versionId: integer('version_id').notNull().references(() => postVersions.id),
    kind: text('kind', { enum: CLEANUP_KINDS }).notNull(),
    key: text('key').notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    recommendedAction: text('recommended_action', { enum: ['withdraw', 'annotate', 'update', 'keep'] }).notNull(),
    state: text('state', { enum: ['open', 'decided', 'fixed'] }).notNull().default('open'),
    decision: text('decision', { enum: ['withdraw', 'annotate', 'update', 'keep'] }),
    decidedBy: integer('decided_by').references(() => users.id),
    reason: text('reason'),
    runId: integer('run_id'),
    createdAt: text('created_at').notNull().default(now),
    closedAt: text('closed_at'),
  },
  (t) => [index('cleanup_tasks_post').on(t.postId, t.state), uniqueIndex('cleanup_tasks_open_once').on(t.postId, t.kind, t.key).where(sql`state = 'open'`)],
);

/** A cleanup scan over the published archive, in batches, resumable after a crash. */
export const cleanupRuns = sqliteTable('cleanup_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  trigger: text('trigger').notNull(),
  checks: text('checks', { mode: 'json' }).$type<string[]>().notNull(),
  /** Day the scan judges by (YYYY-MM-DD). */
  asOf: text('as_of').notNull(),
  state: text('state', { enum: ['running', 'done', 'failed'] }).notNull().default('running'),
  totalBatches: integer('total_batches').notNull(),
  doneBatches: integer('done_batches').notNull().default(0),
  totalPosts: integer('total_posts').notNull(),
  opened: integer('opened').notNull().default(0),
  closed: integer('closed').notNull().default(0),
  startedAt: text('started_at').notNull().default(now),
  finishedAt: text('finished_at'),
});

export const cleanupBatches = sqliteTable(
  'cleanup_batches',
  {
    runId: integer('run_id').notNull().references(() => cleanupRuns.id),
    seq: integer('seq').notNull(),
    /** Post rowids (exclusive start, inclusive end) this batch covers. */
    fromId: integer('from_id').notNull(),
    toId: integer('to_id').notNull(),
    state: text('state', { enum: ['pending', 'done'] }).notNull().default('pending'),
  },
  (t) => [uniqueIndex('cleanup_batches_pk').on(t.runId, t.seq)],
);

/** Domains links in posts may point to; anything else is flagged. */
export const linkAllowlist = sqliteTable('link_allowlist', {
  domain: text('domain').primaryKey(),
});

/** Freshness alerts already sent, so an account is warned once per level and lapse. */
export const freshnessAlerts = sqliteTable(
  'freshness_alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull().references(() => accounts.id),
    level: text('level', { enum: ['warning', 'failing'] }).notNull(),
    /** The last publication the lapse is counted from (or '' for never). */
    since: text('since').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('freshness_alerts_once').on(t.accountId, t.level, t.since)],
);

/** Settings compliance officers change at run time (e.g. classifier thresholds), as JSON. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).$type<unknown>().notNull(),
  updatedBy: integer('updated_by').references(() => users.id),
  updatedAt: text('updated_at').notNull().default(now),
});

/**
 * Rules created or changed through the compliance API (a rule with the id of a
 * file rule replaces it; `enabled: false` in the spec disables it).
 */
export const apiRules = sqliteTable('api_rules', {
  id: text('id').primaryKey(),
  spec: text('spec', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  revision: integer('revision').notNull().default(1),
  updatedBy: integer('updated_by').references(() => users.id),
  updatedAt: text('updated_at').notNull().default(now),
});

/** Every change to an API rule: who, when, what it was and what it became. */
export const ruleHistory = sqliteTable(
  'rule_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ruleId: text('rule_id').notNull(),
    revision: integer('revision').notNull(),
    action: text('action', { enum: ['create', 'update', 'disable', 'enable'] }).notNull(),
    before: text('before', { mode: 'json' }).$type<unknown>(),
    after: text('after', { mode: 'json' }).$type<unknown>(),
    actorId: integer('actor_id').references(() => users.id),
    at: text('at').notNull().default(now),
  },
  (t) => [index('rule_history_rule').on(t.ruleId, t.revision)],
);

/**
 * Requests made with an `Idempotency-Key` (POST /api/posts, POST /api/posts/:id/versions):
 * the same key from the same user with the same request gets the first answer again; with
 * another request, 409. Written in the transaction of the change it answers for.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    actorId: integer('actor_id')
      .notNull()
      .references(() => users.id),
    key: text('key').notNull(),
    /** What the key was used for: `submit`, or `resubmit:<post id>`. */
    scope: text('scope').notNull(),
    /** sha256 of the validated request. */
    requestHash: text('request_hash').notNull(),
    response: text('response', { mode: 'json' }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('idempotency_keys_actor_key').on(t.actorId, t.key)],
);
