/**
 * The SQLite implementation of the Store on better-sqlite3: the programs of
 * src/store/logic.ts, each write run as one IMMEDIATE transaction (all of it
 * is written, or none), reads run statement by statement as before.
 */
import type { Db } from '../db/client.js';
import type { RulesOverlay } from '../rules/overlay.js';
import type { VerdictPolicy } from '../review/verdict.js';
import type { PolicyInput, PolicyPatch } from '../policy/registry.js';
import type { Freshness } from '../accounts/freshness.js';
import type { Role } from '../review/transitions.js';
import type { MachineReviewResult, ReviewInput } from '../review/types.js';
import { programDb, runSync, type Program } from '../store/program.js';
import { StorePrograms, type StoreOptions, type ThresholdOverrides } from '../store/logic.js';
import type { Actor, Decision, MachineReviewSink, NewPost, NewVersion, QueueFilter, ReasonTemplate, Store, TaskQuery } from '../store/types.js';

export { DEFAULT_LEASE_MS, type ThresholdOverrides } from '../store/logic.js';
export type SqliteStoreOptions = StoreOptions;

export class SqliteStore implements Store, MachineReviewSink {
  private readonly p: StorePrograms;
  /** The rules overlay jobs carry (empty unless the compliance API changed rules). */
  readonly rulesOverlay: () => RulesOverlay;

  constructor(
    readonly db: Db,
    opts: SqliteStoreOptions = {},
  ) {
    this.p = new StorePrograms(programDb(db), (program, mode) => (mode === 'write' ? this.write(program) : this.read(program)), opts);
    this.rulesOverlay = this.p.rulesOverlay;
  }

  /** Runs a program in one IMMEDIATE transaction. */
  private write<T>(program: Program<T>): T {
    return runSync(this.db, program);
  }

  /** Runs a read-only program statement by statement, outside a transaction. */
  private read<T>(program: Program<T>): T {
    return runSync(this.db, program, { transaction: false });
  }

  // ---- users -------------------------------------------------------------

  /** Creates a user and returns the only copy of their token. */
  addUser(input: { name: string; role: Role; accounts?: string[] }, actorId: number | null = null): { id: number; token: string } {
    return this.write(this.p.addUser(input, actorId));
  }

  async authenticate(token: string) {
    return this.read(this.p.authenticate(token));
  }

  // ---- posts and review --------------------------------------------------

  async submitPost(actor: Actor, input: NewPost) {
    return this.write(this.p.submitPost(actor, input));
  }

  async resubmitPost(actor: Actor, postId: string, input: NewVersion) {
    return this.write(this.p.resubmitPost(actor, postId, input));
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

  async setAccountSettings(actor: Actor, account: string, input: { windowStart?: string | null; windowEnd?: string | null; windowDays?: string | null; publisher?: 'manual' | 'webhook'; publisherUrl?: string | null }) {
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

  async decideCleanupTask(actor: Actor, taskId: number, input: { action: 'withdraw' | 'annotate' | 'update' | 'keep'; reason?: string }) {
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
