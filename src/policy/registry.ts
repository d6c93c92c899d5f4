/**
 * The policy registry (规范性文件): import, update, and the posts that cite each
 * policy. A change of status is what makes cleanup flag the citing posts.
 */
import { eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { policies } from '../db/schema.js';
import { DomainError } from '../store/errors.js';
import { isValidDate } from '../review/dates.js';
import { all, get, type Program, type StoreDb } from '../store/program.js';
import { docNoCandidates, findCitations, normalizeTitle, parseDocNo } from './citations.js';

export const POLICY_STATUSES = ['effective', 'amended', 'repealed', 'expired'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** Chinese status names accepted on import, as registries publish them. */
const STATUS_ALIASES: Record<string, PolicyStatus> = {
  现行有效: 'effective',
  有效: 'effective',
  已修改: 'amended',
  已修订: 'amended',
  已废止: 'repealed',
  废止: 'repealed',
  已失效: 'expired',
  失效: 'expired',
};

export const PolicyInput = z
  .object({
    docNo: z.string().trim().min(1).max(60).refine((v) => parseDocNo(v) !== null, 'not a document number like 沪人社规〔2023〕12号').optional(),
    title: z.string().trim().min(2).max(200),
    issuedAt: z.string().refine(isValidDate, 'issuedAt must be a calendar day YYYY-MM-DD').optional(),
    status: z.preprocess((v) => (typeof v === 'string' && STATUS_ALIASES[v.trim()] ? STATUS_ALIASES[v.trim()] : v), z.enum(POLICY_STATUSES)),
    replacedBy: z.string().trim().max(200).optional(),
  })
  .strict();
export type PolicyInput = z.infer<typeof PolicyInput>;

export const PolicyPatch = PolicyInput.partial().strict();
export type PolicyPatch = z.infer<typeof PolicyPatch>;

export type Policy = typeof policies.$inferSelect;

function canonicalDocNo(docNo: string | undefined, field = 'docNo'): string | null {
  if (!docNo) return null;
  const c = parseDocNo(docNo);
  if (!c) throw new DomainError('invalid', `${field}: not a document number like 沪人社规〔2023〕12号: ${docNo}`, field);
  return c;
}

type Tx = Pick<StoreDb, 'select' | 'insert' | 'update'>;

/** Inserts or (by 文号, else by title) updates one policy; a store program. */
export function* upsertPolicy$(tx: Tx, input: PolicyInput, at: string): Program<{ policy: Policy; created: boolean; previous: Policy | null }> {
  const docNo = canonicalDocNo(input.docNo);
  const existing = docNo
    ? yield* get(tx.select().from(policies).where(eq(policies.docNo, docNo)))
    : yield* get(tx.select().from(policies).where(eq(policies.title, input.title)));
  const values = { docNo, title: input.title, issuedAt: input.issuedAt ?? null, status: input.status, replacedBy: input.replacedBy ?? null, updatedAt: at };
  if (existing) {
    const [p] = yield* all(tx.update(policies).set(values).where(eq(policies.id, existing.id)).returning());
    return { policy: p!, created: false, previous: existing };
  }
  const [p] = yield* all(tx.insert(policies).values(values).returning());
  return { policy: p!, created: true, previous: null };
}

/** Changes the given fields of one policy; a store program. */
export function* patchPolicy$(tx: Tx, id: number, patch: PolicyPatch, at: string): Program<{ policy: Policy; previous: Policy }> {
  const previous = yield* get(tx.select().from(policies).where(eq(policies.id, id)));
  if (!previous) throw new DomainError('not_found', `no policy ${id}`);
  const set: Partial<typeof policies.$inferInsert> = { updatedAt: at };
  if (patch.docNo !== undefined) set.docNo = canonicalDocNo(patch.docNo);
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.issuedAt !== undefined) set.issuedAt = patch.issuedAt;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.replacedBy !== undefined) set.replacedBy = patch.replacedBy;
  const [p] = yield* all(tx.update(policies).set(set).where(eq(policies.id, id)).returning());
  return { policy: p!, previous };
}

/** Parses a CSV (header: docNo,title,issuedAt,status,replacedBy; Chinese headers accepted) or a JSON array. */
export function parsePolicyFile(text: string, name: string): { rows: PolicyInput[]; errors: string[] } {
  const rows: PolicyInput[] = [];
  const errors: string[] = [];
  const add = (raw: unknown, where: string) => {
    const r = PolicyInput.safeParse(raw);
    if (r.success) rows.push(r.data);
    else errors.push(`${name} ${where}: ${r.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ')}`);
  };
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (err) {
      return { rows, errors: [`${name}: malformed JSON: ${(err as Error).message}`] };
    }
    if (!Array.isArray(data)) return { rows, errors: [`${name}: expected a JSON array of policies`] };
    data.forEach((d, i) => add(d, `item ${i + 1}`));
    return { rows, errors };
  }
  const lines = parseCsv(trimmed);
  const header = (lines[0] ?? []).map((h) => HEADER_ALIASES[h.trim()] ?? h.trim());
  for (const required of ['title', 'status']) {
    if (!header.includes(required)) return { rows, errors: [`${name} line 1: missing column ${required}`] };
  }
  lines.slice(1).forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const obj: Record<string, string> = {};
    header.forEach((h, k) => {
      const v = (cells[k] ?? '').trim();
      if (v !== '') obj[h] = v;
    });
    add(obj, `line ${i + 2}`);
  });
  return { rows, errors };
}

const HEADER_ALIASES: Record<string, string> = { 文号: 'docNo', 标题: 'title', 名称: 'title', 发布日期: 'issuedAt', 成文日期: 'issuedAt', 状态: 'status', 效力: 'status', 替代文件: 'replacedBy' };

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  row.push(cell);
  out.push(row);
  return out;
}

/** In-memory index of the registry for matching citations. */
export class PolicyIndex {
  private byDocNo = new Map<string, Policy>();
  private byTitle = new Map<string, Policy>();
  constructor(all: Policy[]) {
    for (const p of all) {
      if (p.docNo) this.byDocNo.set(p.docNo, p);
      this.byTitle.set(normalizeTitle(p.title), p);
    }
  }
  static load(db: Pick<Db, 'select'>): PolicyIndex {
    return new PolicyIndex(db.select().from(policies).all());
  }
  /** load as a store program. */
  static *load$(db: Pick<StoreDb, 'select'>): Program<PolicyIndex> {
    return new PolicyIndex(yield* all(db.select().from(policies)));
  }
  /** The policies a text cites, each once, with where it is cited. */
  cited(text: string): Array<{ policy: Policy; kind: 'doc_no' | 'title'; start: number; end: number; text: string }> {
    const out = new Map<number, { policy: Policy; kind: 'doc_no' | 'title'; start: number; end: number; text: string }>();
    for (const c of findCitations(text)) {
      let p: Policy | undefined;
      if (c.kind === 'doc_no') {
        for (const k of docNoCandidates(c.key)) {
          p = this.byDocNo.get(k);
          if (p) break;
        }
      } else p = this.byTitle.get(c.key);
      if (p && !out.has(p.id)) {
        const start = c.kind === 'doc_no' ? c.end - (p.docNo ? matchTail(c.text, p.docNo) : c.text.length) : c.start;
        out.set(p.id, { policy: p, kind: c.kind, start, end: c.end, text: text.slice(start, c.end) });
      }
    }
    return [...out.values()];
  }
}

/** Length of the part of `raw` that spells `docNo` (the issuer may have swallowed preceding words). */
function matchTail(raw: string, docNo: string): number {
  const issuer = docNo.slice(0, docNo.indexOf('〔'));
  const at = raw.lastIndexOf(issuer);
  return at >= 0 ? raw.length - at : raw.length;
}

export function policiesByIds(db: Pick<Db, 'select'>, ids: number[]): Policy[] {
  return ids.length ? db.select().from(policies).where(inArray(policies.id, ids)).all() : [];
}
