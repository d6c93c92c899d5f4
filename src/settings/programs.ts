/**
 * Settings compliance changes at run time. Today: the classifier thresholds of
 * the verdict policy (review/verdict.ts), over the shipped defaults and the
 * configuration's LASTGATE_CLASSIFIER_THRESHOLDS.
 */
import { eq } from 'drizzle-orm';
import { settings } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { get, getOf, run, statement, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { DEFAULT_VERDICT_POLICY, withClassifierThresholds, type ClassifierThresholds, type VerdictPolicy } from '../review/verdict.js';
import { requireCompliance } from '../users/roles.js';
import type { Actor } from '../users/actor.js';

export type ThresholdOverrides = Record<string, Partial<ClassifierThresholds>>;
const THRESHOLDS_KEY = 'classifier.thresholds';

/** A setting by key: the verdict policy is read for every machine-review batch, so prepared once. */
const SETTING = statement((db, a: { key: string }) => db.select().from(settings).where(eq(settings.key, a.key)));

export function settingsPrograms({ db, now }: StoreContext, opts: { thresholds?: ThresholdOverrides } = {}) {
  const configPolicy = opts.thresholds ? withClassifierThresholds(opts.thresholds) : DEFAULT_VERDICT_POLICY;
  return {
    /**
     * The verdict policy in force: shipped defaults, then LASTGATE_CLASSIFIER_THRESHOLDS
     * from the environment, then what compliance set through the API.
     */
    *verdictPolicy(): Program<VerdictPolicy> {
      let policy = configPolicy;
      const row = yield* getOf(db, SETTING, { key: THRESHOLDS_KEY });
      if (row) policy = withClassifierThresholds(row.value as ThresholdOverrides, policy);
      return policy;
    },

    /** Changes classifier thresholds (compliance); audited, effective for the next job. */
    *setClassifierThresholds(actor: Actor, overrides: ThresholdOverrides): Program<VerdictPolicy> {
      requireCompliance(actor, 'change classifier thresholds');
      const prev = ((yield* get(db.select().from(settings).where(eq(settings.key, THRESHOLDS_KEY))))?.value ?? {}) as ThresholdOverrides;
      const merged: ThresholdOverrides = { ...prev };
      for (const [label, t] of Object.entries(overrides)) merged[label] = { ...prev[label], ...t };
      const at = now().toISOString();
      yield* run(db.insert(settings).values({ key: THRESHOLDS_KEY, value: merged, updatedBy: actor.id, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value: merged, updatedBy: actor.id, updatedAt: at } }));
      yield* appendAudit$(db, { actorId: actor.id, action: 'settings.classifier_thresholds', entityType: 'settings', entityId: THRESHOLDS_KEY, data: { before: prev, after: merged } }, now());
      return withClassifierThresholds(merged, configPolicy);
    },
  };
}
