/** The review queue page: the open tasks a reviewer may decide, with counts by account and category. */
import { sql, type SQL } from 'drizzle-orm';
import { DomainError } from '../store/errors.js';
import { rows, type Program } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { Verdict } from './types.js';
import { accountScope, type Actor } from '../users/actor.js';

export interface QueueFilter {
  account?: string;
  unit?: string;
  category?: string;
  risk?: 'high' | 'normal';
  /** The machine verdict: `pass` is the 低风险 tab (rules and model raised nothing, yet the account's policy sends it to people). */
  verdict?: Verdict;
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
  /** When the holder's claim lapses; null when nobody holds the task. */
  leaseExpiresAt: string | null;
  /** Whether a compliance officer overrode the machine block of this version. */
  overridden: boolean;
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
  /** Items the machine passed (the 低风险 tab). */
  pass: number;
  byAccount: Record<string, number>;
  byCategory: Record<string, number>;
}

export function queuePrograms({ db, now: clock }: StoreContext) {
  return {
    /**
     * The actor's review queue: open tasks they may decide (not their own posts,
     * not versions they already approved, escalated tasks only for compliance),
     * riskiest first, then what is to be published soonest.
     */
    *queue(actor: Actor, f: QueueFilter = {}): Program<{ items: QueueItem[]; counts: QueueCounts }> {
      if (actor.role !== 'reviewer' && actor.role !== 'compliance') {
        throw new DomainError('forbidden', `role ${actor.role} has no review queue`, undefined, '你的角色没有审核队列');
      }
      const now = clock().toISOString();
      const me = actor.id;
      const where: SQL[] = [sql`t.state = 'open'`, sql`p.author_id <> ${me}`, sql`NOT EXISTS (SELECT 1 FROM decisions d WHERE d.version_id = t.version_id AND d.reviewer_id = ${me} AND d.decision = 'approve')`];
      if (actor.role !== 'compliance') where.push(sql`t.assigned_role = 'reviewer'`);
      const scope = accountScope(actor);
      if (scope !== null) where.push(scope.length ? sql`p.account_id IN ${scope}` : sql`0`);
      const base = [...where];
      if (f.account) where.push(sql`a.name = ${f.account}`);
      if (f.unit) where.push(sql`u.name = ${f.unit}`);
      if (f.category) where.push(sql`EXISTS (SELECT 1 FROM json_each(mr.categories) WHERE value = ${f.category})`);
      if (f.risk === 'high') where.push(sql`t.required_approvals >= 2`);
      if (f.risk === 'normal') where.push(sql`t.required_approvals < 2`);
      if (f.verdict) where.push(sql`mr.verdict = ${f.verdict}`);
      const from = sql`review_tasks t
      JOIN posts p ON p.id = t.post_id
      JOIN post_versions v ON v.id = t.version_id
      JOIN accounts a ON a.id = p.account_id
      LEFT JOIN units u ON u.id = a.unit_id
      LEFT JOIN machine_reviews mr ON mr.version_id = t.version_id`;
      const itemFields = {
        id: sql<number>`t.id`,
        postId: sql<string>`t.post_id`,
        versionId: sql<number>`t.version_id`,
        version: sql<number>`v.version`,
        requiredApprovals: sql<number>`t.required_approvals`,
        assignedRole: sql<QueueItem['assignedRole']>`t.assigned_role`,
        riskScore: sql<number>`t.risk_score`,
        claimedBy: sql<number | null>`CASE WHEN t.claimed_by IS NOT NULL AND t.lease_expires_at > ${now} THEN t.claimed_by END`,
        claimedByName: sql<string | null>`CASE WHEN t.claimed_by IS NOT NULL AND t.lease_expires_at > ${now} THEN cu.name END`,
        leaseExpiresAt: sql<string | null>`CASE WHEN t.claimed_by IS NOT NULL AND t.lease_expires_at > ${now} THEN t.lease_expires_at END`,
        overridden: sql<number>`EXISTS (SELECT 1 FROM audit_log o WHERE o.action = 'post.override_block' AND o.entity_type = 'post' AND o.entity_id = t.post_id AND json_extract(o.data, '$.version') = v.version)`,
        title: sql<string | null>`v.title`,
        excerpt: sql<string>`substr(v.body, 1, 80)`,
        date: sql<string>`v.publish_date`,
        account: sql<string>`a.name`,
        unit: sql<string | null>`u.name`,
        verdict: sql<QueueItem['verdict']>`mr.verdict`,
        categories: sql<string>`COALESCE(mr.categories, '[]')`,
        createdAt: sql<string>`t.created_at`,
        approvals: sql<number>`(SELECT count(DISTINCT d.reviewer_id) FROM decisions d WHERE d.version_id = t.version_id AND d.decision = 'approve')`,
      };
      const items = yield* rows(
        itemFields,
        db
          .select(itemFields)
          .from(sql`${from} LEFT JOIN users cu ON cu.id = t.claimed_by`)
          .where(sql.join(where, sql` AND `))
          .orderBy(sql`t.risk_score DESC, v.publish_date ASC, t.id ASC`)
          .limit(f.limit ?? 100),
      );
      const countFields = { account: sql<string>`a.name`, req: sql<number>`t.required_approvals`, verdict: sql<Verdict | null>`mr.verdict`, categories: sql<string>`COALESCE(mr.categories, '[]')` };
      const countRows = yield* rows(countFields, db.select(countFields).from(from).where(sql.join(base, sql` AND `)));
      const counts: QueueCounts = { total: countRows.length, high: 0, pass: 0, byAccount: {}, byCategory: {} };
      for (const r of countRows) {
        if (r.req >= 2) counts.high++;
        if (r.verdict === 'pass') counts.pass++;
        counts.byAccount[r.account] = (counts.byAccount[r.account] ?? 0) + 1;
        for (const c of JSON.parse(r.categories) as string[]) counts.byCategory[c] = (counts.byCategory[c] ?? 0) + 1;
      }
      return { items: items.map((i) => ({ ...i, overridden: !!i.overridden, categories: JSON.parse(i.categories) as string[] })), counts };
    },
  };
}
