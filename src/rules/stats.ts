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
  falsePositiveRate: number | null;
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
          const judged = m.fp + m.ok;
          return { ...h, falsePositives: m.fp, confirmed: m.ok, falsePositiveRate: judged ? m.fp / judged : null };
        })
        .sort((a, b) => b.hits - a.hits || a.rule.localeCompare(b.rule));
    },
  };
}
