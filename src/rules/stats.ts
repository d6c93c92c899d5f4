/** Per-rule statistics for compliance: hits in machine reviews and reviewers' marks on them (review/machine.ts markFinding). */
import { sql } from 'drizzle-orm';
import { rows, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { requireCompliance } from '../users/roles.js';
import type { Actor } from '../users/actor.js';

export interface RuleStat {
  rule: string;
  gate: string;
  category: string;
  hits: number;
  posts: number;
  falsePositives: number;
  confirmed: number;
  /** Reviewers' marks on the rule's findings (false positive or confirmed): the sample behind the rate. */
  marks: number;
  /** False-positive marks over all marks; null below MIN_MARKS, where a percentage would mislead (one mark is not "100 %"). */
  falsePositiveRate: number | null;
}

/** Marks a false-positive rate needs before it is given. */
export const MIN_MARKS = 5;

export function falsePositiveRate(falsePositives: number, confirmed: number): number | null {
  const marks = falsePositives + confirmed;
  return marks >= MIN_MARKS ? falsePositives / marks : null;
}

export function ruleStatsPrograms({ db }: StoreContext) {
  return {
    /** Per-rule hit counts and reviewers' marks, for compliance officers. */
    *ruleStats(actor: Actor): Program<RuleStat[]> {
      requireCompliance(actor, 'read rule statistics');
      const hitFields = {
        rule: sql<string>`json_extract(f.value, '$.rule')`,
        gate: sql<string>`json_extract(f.value, '$.gate')`,
        category: sql<string>`json_extract(f.value, '$.category')`,
        hits: sql<number>`count(*)`,
        posts: sql<number>`count(DISTINCT mr.version_id)`,
      };
      const hits = yield* rows(hitFields, db.select(hitFields).from(sql`machine_reviews mr, json_each(mr.findings) f`).groupBy(sql`1, 2, 3`));
      const marks = new Map<string, { fp: number; ok: number }>();
      const markFields = { rule: sql<string>`rule`, fp: sql<number>`sum(mark = 'false_positive')`, ok: sql<number>`sum(mark = 'confirmed')` };
      const markRows = yield* rows(markFields, db.select(markFields).from(sql`finding_marks`).groupBy(sql`rule`));
      for (const m of markRows) marks.set(m.rule, m);
      return hits
        .map((h) => {
          const m = marks.get(h.rule) ?? { fp: 0, ok: 0 };
          return { ...h, falsePositives: m.fp, confirmed: m.ok, marks: m.fp + m.ok, falsePositiveRate: falsePositiveRate(m.fp, m.ok) };
        })
        .sort((a, b) => b.hits - a.hits || a.rule.localeCompare(b.rule));
    },
  };
}
