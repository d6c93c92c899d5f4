/**
 * The real, permissively licensed texts in `../shared/data/` (see its
 * README) and the one split of them that every figure of lastgate uses, so
 * the rule engine and the classifier are tuned on the same part and reported
 * on the same held-out part.
 *
 * The split is drawn by hashing, before anything was tuned, and never changes:
 * `bucket = first 4 bytes of sha256("lastgate-real-v1:" + group)` as an
 * unsigned integer, `u = bucket / 2^32`.
 * - COLD (`cold/train.jsonl`, `cold/dev.jsonl`): each comment is its own
 *   group (its `id`). Every row of train.jsonl is `train`; a dev.jsonl row is
 *   `dev` when u < 0.5, else `holdout`.
 * - Official documents: the group is the document (a work report's year, a
 *   congress report's congress, a regulation's title), so paragraphs of one
 *   document never sit on both sides: `holdout` when u < 0.25, `dev` when
 *   u < 0.4, else `train`.
 *
 * `train` may train models and inform rules; `dev` chooses hyperparameters
 * and thresholds and is where rules are tuned; `holdout` is only scored, for
 * EVALUATION.md. The same rule is written out in Python in
 * `scripts/classifier/real_data.py`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA_DIR = resolve(fileURLToPath(new URL('../../../shared/data/', import.meta.url)));
export const SEEDS_DIR = resolve(fileURLToPath(new URL('../../../shared/seeds/', import.meta.url)));

export type Part = 'train' | 'dev' | 'holdout';

export const OFFICIAL_FILES = {
  gov_work_reports: 'official/gov_work_reports_pre2010.jsonl',
  cpc_congress_reports: 'official/cpc_congress_reports_pre16.jsonl',
  shanghai_regulations: 'official/shanghai_local_regulations.jsonl',
} as const;
export type OfficialSource = keyof typeof OFFICIAL_FILES;

/** A comment of COLD: `offensive` is its label (1 = offensive). */
export interface ColdText {
  id: string;
  text: string;
  offensive: boolean;
  topic: 'race' | 'region' | 'gender';
  part: Part;
}

/** A paragraph of a real official document: clean text, expected verdict `pass`. */
export interface OfficialText {
  id: string;
  source: OfficialSource;
  title: string;
  body: string;
  /** `YYYY-MM-DD` of the document (a report's year as its first day), or null when unknown. */
  date: string | null;
  /** The document the paragraph belongs to (the split's group). */
  document: string;
  part: Part;
}

/** u in [0, 1) of the split rule for a group. */
export function splitPoint(group: string): number {
  return createHash('sha256').update(`lastgate-real-v1:${group}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function coldPart(file: 'train' | 'dev', id: string): Part {
  if (file === 'train') return 'train';
  return splitPoint(id) < 0.5 ? 'dev' : 'holdout';
}

export function officialPart(document: string): Part {
  const u = splitPoint(document);
  return u < 0.25 ? 'holdout' : u < 0.4 ? 'dev' : 'train';
}

/** Whether `../shared/data/` is beside the repository. */
export function hasSharedData(): boolean {
  return existsSync(resolve(SHARED_DATA_DIR, OFFICIAL_FILES.gov_work_reports));
}

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(resolve(SHARED_DATA_DIR, path), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** COLD's train and dev files, each row with its part. */
export function readCold(): ColdText[] {
  const out: ColdText[] = [];
  for (const file of ['train', 'dev'] as const) {
    for (const r of readJsonl(`cold/${file}.jsonl`)) {
      const id = String(r.id);
      out.push({ id, text: String(r.text), offensive: r.label === 1, topic: r.topic as ColdText['topic'], part: coldPart(file, id) });
    }
  }
  return out;
}

function documentOf(source: OfficialSource, r: Record<string, unknown>): string {
  if (source === 'gov_work_reports') return `gov_work_report:${String(r.date)}`;
  if (source === 'cpc_congress_reports') return `cpc_congress:${String(r.congress)}`;
  return `shanghai_regulation:${String(r.title)}`;
}

function dateOf(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  if (/^\d{4}$/.test(raw)) return `${raw}-01-01`;
  return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : null;
}

/** Every paragraph of the three official files, each with its document and part. */
export function readOfficial(): OfficialText[] {
  const out: OfficialText[] = [];
  for (const source of Object.keys(OFFICIAL_FILES) as OfficialSource[]) {
    for (const r of readJsonl(OFFICIAL_FILES[source])) {
      const document = documentOf(source, r);
      out.push({ id: String(r.id), source, title: String(r.title ?? ''), body: String(r.body), date: dateOf(r.date), document, part: officialPart(document) });
    }
  }
  return out;
}
