/**
 * The store on better-sqlite3 (the Node server): the programs of programs.ts,
 * each write run as one IMMEDIATE transaction (all of it is written, or none),
 * reads run statement by statement (src/store/sync.ts).
 */
import type { Db } from '../db/client.js';
import { EMPTY_OVERLAY, type RulesOverlay } from '../rules/overlay.js';
import type { VerdictPolicy } from '../review/verdict.js';
import type { PolicyInput, PolicyPatch } from '../policy/registry.js';
import type { Freshness } from '../accounts/freshness.js';
import type { AccountPatch, AccountSettingsInput, NewAccount } from '../accounts/programs.js';
import type { MatrixActor } from '../units/programs.js';
import type { Role } from '../review/transitions.js';
import type { MachineReviewResult, ReviewInput } from '../review/types.js';
import type { Decision, TaskQuery } from '../review/tasks.js';
import type { QueueFilter } from '../review/queue.js';
import type { ReasonTemplate } from '../review/reasons.js';
import type { CleanupAction } from '../cleanup/tasks.js';
import type { ThresholdOverrides } from '../settings/programs.js';
import type { NewPost, NewVersion } from '../posts/types.js';
import type { Idempotency } from '../posts/idempotency.js';
import type { Actor } from '../users/actor.js';
import type { IssuedToken, NewUser, UserSummary } from '../users/programs.js';
import { programDb } from '../store/program.js';
import { syncRunner, type SyncRunner } from '../store/sync.js';
import { storePrograms, type Store, type StoreOptions, type StorePrograms } from './programs.js';

export interface SqliteStoreOptions extends StoreOptions {
  /** The compliance API's rules, sent with every job (rules/overlay.ts). */
  rulesOverlay?: () => RulesOverlay;
}

export class SqliteStore implements Store {
  private readonly p: StorePrograms;
  private readonly read: SyncRunner['read'];
  private readonly write: SyncRunner['write'];
  /** The rules overlay jobs carry (empty unless the compliance API changed rules). */
  readonly rulesOverlay: () => RulesOverlay;

  constructor(
    readonly db: Db,
    opts: SqliteStoreOptions = {},
  ) {
    const runner = syncRunner(db);
    this.read = runner.read;
    this.write = runner.write;
    this.p = storePrograms(programDb(db), runner.run, opts);
    this.rulesOverlay = opts.rulesOverlay ?? (() => EMPTY_OVERLAY);
  }

  // ---- users -------------------------------------------------------------

  /** Creates a user and returns the only copy of their token (actor null: the operator at the shell). */
  addUser(input: NewUser, actor: Actor | null = null): IssuedToken {
    return this.write(this.p.addUser(input, actor));
  }

  listUsers(actor: Actor | null = null): UserSummary[] {
    return this.read(this.p.listUsers(actor));
  }

  /** The user `#ID`, an id, or a name that only one user has names. */
  findUser(ref: string): UserSummary {
    return this.read(this.p.findUser(ref));
  }

  disableUser(actor: Actor | null, id: number): UserSummary {
    return this.write(this.p.disableUser(actor, id));
  }

  enableUser(actor: Actor | null, id: number): UserSummary {
    return this.write(this.p.enableUser(actor, id));
  }

  /** A new token (returned once); the old one and the user's sessions stop working. */
  rotateToken(actor: Actor | null, id: number, input: { expiresInDays?: number } = {}): IssuedToken {
    return this.write(this.p.rotateToken(actor, id, input));
  }

  async authenticate(token: string) {
    return this.read(this.p.authenticate(token));
  }

  // ---- workspace sessions ------------------------------------------------

  async startSession(token: string) {
    return this.write(this.p.startSession(token));
  }

  async sessionActor(sessionId: string) {
    return this.read(this.p.sessionActor(sessionId));
  }

  async endSession(sessionId: string) {
    return this.write(this.p.endSession(sessionId));
  }

  // ---- posts and review --------------------------------------------------

  async submitPost(actor: Actor, input: NewPost, idem?: Idempotency) {
    return this.write(this.p.submitPost(actor, input, idem));
  }

  async resubmitPost(actor: Actor, postId: string, input: NewVersion, idem?: Idempotency) {
    return this.write(this.p.resubmitPost(actor, postId, input, idem));
  }

  async getPost(actor: Actor, postId: string) {
    return this.read(this.p.getPost(actor, postId));
  }

  async listTasks(actor: Actor, q: TaskQuery) {
    return this.read(this.p.listTasks(actor, q));
  }

  async getTask(actor: Actor, taskId: number) {
    return this.read(this.p.getTask(actor, taskId));
  }

  async claimTask(actor: Actor, taskId: number) {
    return this.write(this.p.claimTask(actor, taskId));
  }

  async decide(actor: Actor, taskId: number, d: Decision) {
    return this.write(this.p.decide(actor, taskId, d));
  }

  // ---- publishing --------------------------------------------------------

  publish(actor: Actor, postId: string, target: { platform?: string; url?: string; overrideReason?: string }) {
    return this.p.publish(actor, postId, target);
  }

  async schedulePost(actor: Actor, postId: string, input: { publishAt: string; embargoUntil?: string; overrideReason?: string }) {
    return this.write(this.p.schedulePost(actor, postId, input));
  }

  publishDue() {
    return this.p.publishDue();
  }

  async setAccountSettings(actor: Actor, account: string, input: AccountSettingsInput) {
    return this.write(this.p.setAccountSettings(actor, account, input));
  }

  /** Freshness of every account as of `today` (YYYY-MM-DD). */
  accountFreshness(today: string): Freshness[] {
    return this.read(this.p.accountFreshness(today));
  }

  /** Sends one webhook alert per account, level and lapse; returns the alerts raised. */
  raiseFreshnessAlerts(today: string): Freshness[] {
    return this.write(this.p.raiseFreshnessAlerts(today));
  }

  // ---- accounts and units of the matrix (admin; actor null: the operator at the shell) ----

  async listAccountViews(actor: MatrixActor, opts: { includeRetired?: boolean } = {}) {
    return this.read(this.p.listAccountViews(actor, opts));
  }

  async addAccount(actor: MatrixActor, input: NewAccount) {
    return this.write(this.p.addAccount(actor, input));
  }

  async updateAccount(actor: MatrixActor, account: string, patch: AccountPatch) {
    return this.write(this.p.updateAccount(actor, account, patch));
  }

  async renameAccount(actor: MatrixActor, account: string, name: string) {
    return this.write(this.p.renameAccount(actor, account, name));
  }

  async moveAccount(actor: MatrixActor, account: string, unit: string) {
    return this.write(this.p.moveAccount(actor, account, unit));
  }

  async retireAccount(actor: MatrixActor, account: string) {
    return this.write(this.p.retireAccount(actor, account));
  }

  async reinstateAccount(actor: MatrixActor, account: string) {
    return this.write(this.p.reinstateAccount(actor, account));
  }

  async listUnits() {
    return this.read(this.p.listUnits());
  }

  async addUnit(actor: MatrixActor, input: { name: string }) {
    return this.write(this.p.addUnit(actor, input));
  }

  async renameUnit(actor: MatrixActor, unit: number | string, input: { name: string }) {
    return this.write(this.p.renameUnit(actor, unit, input));
  }

  // ---- settings -----------------------------------------------------------

  verdictPolicy(): VerdictPolicy {
    return this.read(this.p.verdictPolicy());
  }

  async setClassifierThresholds(actor: Actor, overrides: ThresholdOverrides) {
    return this.write(this.p.setClassifierThresholds(actor, overrides));
  }

  // ---- cleanup tasks -----------------------------------------------------

  async listCleanupTasks(actor: Actor, q: { postId?: string; state?: 'open' | 'decided' | 'fixed'; kind?: string; limit: number }) {
    return this.read(this.p.listCleanupTasks(actor, q));
  }

  async decideCleanupTask(actor: Actor, taskId: number, input: { action: CleanupAction; reason?: string }) {
    return this.write(this.p.decideCleanupTask(actor, taskId, input));
  }

  // ---- policy registry ---------------------------------------------------

  async addPolicy(actor: Actor, input: PolicyInput) {
    return this.write(this.p.addPolicy(actor, input));
  }

  async updatePolicy(actor: Actor, id: number, patch: PolicyPatch) {
    return this.write(this.p.updatePolicy(actor, id, patch));
  }

  /** Imports many policies at once; nothing is written if any row is invalid. */
  async importPolicies(actor: Actor, rows: PolicyInput[]) {
    return this.write(this.p.importPolicies(actor, rows));
  }

  listPolicies() {
    return this.read(this.p.listPolicies());
  }

  async previewPolicyChange(actor: Actor, change: { id?: number; docNo?: string; title?: string; status: PolicyInput['status'] }) {
    return this.read(this.p.previewPolicyChange(actor, change));
  }

  // ---- machine review ----------------------------------------------------

  /** The content a machine-review job works on. */
  reviewInput(versionId: number): ReviewInput | null {
    return this.read(this.p.reviewInput(versionId));
  }

  /** Records a machine review and routes the post; idempotent per version. */
  applyMachineReview(versionId: number, result: MachineReviewResult, durationMs?: number): void {
    this.write(this.p.applyMachineReview(versionId, result, durationMs));
  }

  /**
   * Several machine reviews in one transaction (a group commit: one commit
   * for the batch instead of one per post); all are written or none, each
   * idempotent per version as applyMachineReview.
   */
  applyMachineReviews(items: ReadonlyArray<{ versionId: number; result: MachineReviewResult; durationMs?: number }>): void {
    const p = this.p;
    this.write(
      (function* () {
        for (const it of items) yield* p.applyMachineReview(it.versionId, it.result, it.durationMs);
      })(),
    );
  }

  // ---- reviewer workspace ------------------------------------------------

  async queue(actor: Actor, f: QueueFilter = {}) {
    return this.read(this.p.queue(actor, f));
  }

  async renewClaim(actor: Actor, taskId: number) {
    return this.write(this.p.renewClaim(actor, taskId));
  }

  async releaseClaim(actor: Actor, taskId: number) {
    return this.write(this.p.releaseClaim(actor, taskId));
  }

  async overrideBlock(actor: Actor, postId: string, reason: string) {
    return this.write(this.p.overrideBlock(actor, postId, reason));
  }

  async markFinding(actor: Actor, postId: string, findingIndex: number, mark: 'false_positive' | 'confirmed') {
    return this.write(this.p.markFinding(actor, postId, findingIndex, mark));
  }

  async ruleStats(actor: Actor) {
    return this.read(this.p.ruleStats(actor));
  }

  async listReasonTemplates() {
    return this.read(this.p.listReasonTemplates());
  }

  async addReasonTemplate(actor: Actor, t: Omit<ReasonTemplate, 'id'>) {
    return this.write(this.p.addReasonTemplate(actor, t));
  }

  async disableReasonTemplate(actor: Actor, id: number) {
    return this.write(this.p.disableReasonTemplate(actor, id));
  }

  async versionDiff(actor: Actor, postId: string, fromVersion: number, toVersion: number) {
    return this.read(this.p.versionDiff(actor, postId, fromVersion, toVersion));
  }

  async addWebhook(actor: Actor, input: { account?: string; url: string }) {
    return this.write(this.p.addWebhook(actor, input));
  }

  async listAccounts(actor: Actor) {
    return this.read(this.p.listAccounts(actor));
  }

  async listPosts(actor: Actor, limit = 100) {
    return this.read(this.p.listPosts(actor, limit));
  }
}
