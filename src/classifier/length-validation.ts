/**
 * Long documents built from dev posts only, to choose and check the length
 * correction (`length-correction.ts`) in scripts/train.ts. Never test posts,
 * never seed text. Deterministic: the same dev split and seed give the same
 * documents. They are not stored; see data/corpus/README.md.
 *
 * - `clean`: dev clean posts (ordinary and hard negatives alike) drawn at
 *   random and joined as paragraphs until the document reaches its target
 *   length;
 * - `ordinary`: the same from the ordinary clean posts only (sources
 *   `clean.*`, no hard negatives), closer to a plain official report;
 * - `bad`: one dev bad post inserted as a paragraph at a random place in a
 *   clean document built like the first two (alternately), labelled with the
 *   bad post's label.
 *
 * Target lengths are log-uniform between {@link LONG_MIN_CHARS} and
 * {@link LONG_MAX_CHARS} characters (the two seed documents have about 2,800
 * and 4,550; the long posts and reports of the accounts in PRODUCT.md run to
 * about 10,000).
 */
import type { CorpusExample } from './corpus.js';
import { seededRandom } from '../random.js';
import type { LabelledText } from './training-data.js';

export const LONG_SEED = 2026;
export const LONG_PER_KIND = 500;
export const LONG_MIN_CHARS = 1000;
export const LONG_MAX_CHARS = 10_000;

export interface LongDocument {
  kind: 'clean' | 'ordinary' | 'bad';
  label: string;
  text: string;
  /** `bad`: the dev bad post inserted. */
  inserted?: string;
}

export function buildLongDocuments(dev: readonly CorpusExample[], perKind = LONG_PER_KIND, seed = LONG_SEED): LongDocument[] {
  if (dev.some((e) => e.split !== 'dev')) throw new Error('long documents are built from dev posts only');
  const clean = dev.filter((e) => e.label === 'clean');
  const ordinary = clean.filter((e) => !e.source.startsWith('hard.'));
  const bad = dev.filter((e) => e.label !== 'clean');
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const target = () => Math.round(Math.exp(Math.log(LONG_MIN_CHARS) + rand() * (Math.log(LONG_MAX_CHARS) - Math.log(LONG_MIN_CHARS))));
  const paragraphs = (pool: readonly CorpusExample[], chars: number): string[] => {
    const out: string[] = [];
    let length = 0;
    while (length < chars) {
      const p = pick(pool).text;
      out.push(p);
      length += p.length + 1;
    }
    return out;
  };
  const docs: LongDocument[] = [];
  for (let i = 0; i < perKind; i++) {
    docs.push({ kind: 'clean', label: 'clean', text: paragraphs(clean, target()).join('\n') });
    docs.push({ kind: 'ordinary', label: 'clean', text: paragraphs(ordinary, target()).join('\n') });
    const host = paragraphs(i % 2 === 0 ? clean : ordinary, target());
    const b = pick(bad);
    host.splice(Math.floor(rand() * (host.length + 1)), 0, b.text);
    docs.push({ kind: 'bad', label: b.label, text: host.join('\n'), inserted: b.text });
  }
  return docs;
}

export interface RealLongDocument {
  kind: 'official' | 'official+bad';
  /** The official document (`OfficialText.document`). */
  document: string;
  text: string;
  /** `official+bad`: the dev bad text inserted. */
  inserted?: string;
  insertedSet?: string;
}

/**
 * Long real documents from dev texts only: every official dev document whole
 * (its paragraphs in file order, one per line: a work report runs to 20,000
 * characters and more), and each of them again with one dev bad text inserted
 * as a paragraph at a random place, alternately a synthetic bad post and a
 * COLD offensive comment. Deterministic for a seed.
 */
export function buildRealLongDocuments(dev: readonly LabelledText[], seed = LONG_SEED): RealLongDocument[] {
  if (dev.some((e) => e.part !== 'dev')) throw new Error('long documents are built from dev texts only');
  const byDocument = new Map<string, string[]>();
  for (const t of dev) if (t.set === 'official') (byDocument.get(t.document!) ?? byDocument.set(t.document!, []).get(t.document!)!).push(t.text);
  const synthetic = dev.filter((t) => t.set === 'synthetic' && t.label !== 0);
  const cold = dev.filter((t) => t.set === 'cold' && t.label !== 0);
  const rand = seededRandom(seed + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: RealLongDocument[] = [];
  let i = 0;
  for (const [document, paragraphs] of [...byDocument].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out.push({ kind: 'official', document, text: paragraphs.join('\n') });
    const b = i++ % 2 === 0 ? pick(synthetic) : pick(cold);
    const host = [...paragraphs];
    host.splice(Math.floor(rand() * (host.length + 1)), 0, b.text);
    out.push({ kind: 'official+bad', document, text: host.join('\n'), inserted: b.text, insertedSet: b.set });
  }
  return out;
}
