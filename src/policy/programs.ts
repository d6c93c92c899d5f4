/**
 * The policy registry in the store: compliance adds, changes and imports
 * policies (registry.ts), previews which published posts a change would flag,
 * and every publication records the policies it cites (citations), which the
 * policy cleanup check reads.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { citations, policies } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { all, get, rows, run, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import { requireCompliance } from '../users/roles.js';
import type { Actor } from '../users/actor.js';
import { PolicyIndex, patchPolicy$, upsertPolicy$, type PolicyInput, type PolicyPatch } from './registry.js';
import { parseDocNo } from './citations.js';

/** Published posts read per query when scanning the archive. */
const ARCHIVE_PAGE = 500;

/** Links a published version to the registry's policies it cites. */
export function* linkCitations$(db: StoreDb, postId: string, versionId: number, title: string | null, body: string): Program<void> {
  const text = title ? `${title}\n${body}` : body;
  yield* run(db.delete(citations).where(eq(citations.versionId, versionId)));
  for (const c of (yield* PolicyIndex.load$(db)).cited(text)) {
    yield* run(db.insert(citations).values({ postId, versionId, policyId: c.policy.id, kind: c.kind, start: c.start, end: c.end, text: c.text }).onConflictDoNothing());
  }
}

export function policyPrograms({ db, now }: StoreContext) {
  return {
    *addPolicy(actor: Actor, input: PolicyInput) {
      requireCompliance(actor, 'manage the policy registry');
      const r = yield* upsertPolicy$(db, input, now().toISOString());
      yield* appendAudit$(db, { actorId: actor.id, action: r.created ? 'policy.add' : 'policy.update', entityType: 'policy', entityId: String(r.policy.id), data: { ...input } }, now());
      return r;
    },

    *updatePolicy(actor: Actor, id: number, patch: PolicyPatch) {
      requireCompliance(actor, 'manage the policy registry');
      const r = yield* patchPolicy$(db, id, patch, now().toISOString());
      yield* appendAudit$(db, { actorId: actor.id, action: 'policy.update', entityType: 'policy', entityId: String(id), data: { before: r.previous, after: patch } }, now());
      return r;
    },

    /** Imports many policies at once; nothing is written if any row is invalid (with a transactional runner). */
    *importPolicies(actor: Actor, rows: PolicyInput[]) {
      requireCompliance(actor, 'manage the policy registry');
      let created = 0;
      let updated = 0;
      const at = now().toISOString();
      for (const row of rows) ((yield* upsertPolicy$(db, row, at)).created ? created++ : updated++);
      yield* appendAudit$(db, { actorId: actor.id, action: 'policy.import', entityType: 'policy', entityId: '*', data: { created, updated } }, now());
      return { created, updated };
    },

    *listPolicies() {
      return yield* all(db.select().from(policies).orderBy(asc(policies.id)));
    },

    /**
     * Impact preview: the published posts a registry change would flag, before
     * it is saved (a status other than effective flags every post citing it).
     */
    *previewPolicyChange(actor: Actor, change: { id?: number; docNo?: string; title?: string; status: PolicyInput['status'] }) {
      requireCompliance(actor, 'preview registry changes');
      let policyId = change.id ?? null;
      if (policyId == null) {
        const key = change.docNo ? parseDocNo(change.docNo) : null;
        const existing = key
          ? yield* get(db.select().from(policies).where(eq(policies.docNo, key)))
          : change.title
            ? yield* get(db.select().from(policies).where(eq(policies.title, change.title)))
            : undefined;
        policyId = existing?.id ?? null;
      }
      let citing: Array<{ postId: string; account: string; title: string | null; cited: string }>;
      if (policyId != null) {
        const fields = { postId: sql<string>`c.post_id`, account: sql<string>`a.name`, title: sql<string | null>`v.title`, cited: sql<string>`c.text` };
        citing = yield* rows(
          fields,
          db
            .selectDistinct(fields)
            .from(
              sql`citations c
           JOIN posts p ON p.id = c.post_id AND p.status IN ('published','annotated')
           JOIN post_versions v ON v.id = c.version_id JOIN accounts a ON a.id = p.account_id`,
            )
            .where(sql`c.policy_id = ${policyId}`),
        );
      } else {
        // Not in the registry yet: match the text of the published archive directly.
        const probe = new PolicyIndex([{ id: -1, docNo: change.docNo ? parseDocNo(change.docNo) : null, title: change.title ?? '\u0000', issuedAt: null, status: change.status, replacedBy: null, updatedAt: '' }]);
        citing = [];
        // In pages along the posts_status index (status, then rowid), so a large archive is never held in memory at once.
        const fields = { postId: sql<string>`p.id`, account: sql<string>`a.name`, title: sql<string | null>`v.title`, body: sql<string>`v.body`, status: sql<string>`p.status`, rowid: sql<number>`p.rowid` };
        let after: { status: string; rowid: number } | null = null;
        for (;;) {
          const published: Array<{ postId: string; account: string; title: string | null; body: string; status: string; rowid: number }> = yield* rows(
            fields,
            db
              .select(fields)
              .from(sql`posts p JOIN post_versions v ON v.post_id = p.id AND v.version = p.current_version JOIN accounts a ON a.id = p.account_id`)
              .where(after ? sql`p.status IN ('published','annotated') AND (p.status, p.rowid) > (${after.status}, ${after.rowid})` : sql`p.status IN ('published','annotated')`)
              .orderBy(sql`p.status, p.rowid`)
              .limit(ARCHIVE_PAGE),
          );
          for (const r of published) {
            const hit = probe.cited(r.title ? `${r.title}\n${r.body}` : r.body)[0];
            if (hit) citing.push({ postId: r.postId, account: r.account, title: r.title, cited: hit.text });
          }
          const last = published[published.length - 1];
          if (!last || published.length < ARCHIVE_PAGE) break;
          after = { status: last.status, rowid: last.rowid };
        }
      }
      const flags = change.status !== 'effective';
      return { policyId, wouldFlag: flags ? citing.length : 0, posts: flags ? citing : [], citing: citing.length };
    },
  };
}
