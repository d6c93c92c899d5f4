/**
 * Deterministic benchmark corpus: official-style posts made of the seed
 * documents' sentences, reshuffled, with problem terms injected now and then
 * (from the default packs and from a lexicon) and written with the evasions
 * the normaliser undoes — interference characters, full-width letters,
 * traditional characters, repeats. Same seed, same corpus, on every machine.
 */
import { seededRandom } from '../src/random.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';


export function seedSentences(seedsDir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(seedsDir).filter((n) => n.endsWith('.txt')).sort()) {
    const text = readFileSync(join(seedsDir, f), 'utf8');
    for (const s of text.split(/(?<=[。；！？\n])/u)) {
      const t = s.trim();
      if (t.length >= 4) out.push(t);
    }
  }
  return out;
}

const NOISE = [' ', '*', '.', '\u200b', '-', '_', '😀', '~'];
const TRAD: Record<string, string> = { 台: '臺', 湾: '灣', 赌: '賭', 网: '網', 场: '場', 国: '國', 华: '華', 资: '資', 残: '殘', 废: '廢', 约: '約', 部: '部', 内: '內', 传: '傳' };

function evade(term: string, r: () => number): string {
  const k = r();
  const chars = Array.from(term);
  if (k < 0.25) return chars.join(NOISE[Math.floor(r() * NOISE.length)]!);
  if (k < 0.4) return chars.map((c) => TRAD[c] ?? c).join('');
  if (k < 0.5) return chars.map((c) => (/[a-z0-9]/i.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
  if (k < 0.6) return chars.map((c, i) => (i === 0 ? c + c : c)).join('');
  return term;
}

export interface CorpusOptions {
  seedsDir: string;
  /** Terms to inject (pack terms and lexicon words). */
  terms: string[];
  /** Total characters wanted. */
  chars: number;
  /** Characters per post, roughly. */
  postChars?: number;
  /** Probability that a sentence gets a term injected. */
  injectRate?: number;
  seed?: number;
}

/** Posts of about `postChars` characters until `chars` characters in total. */
export function buildCorpus(opts: CorpusOptions): string[] {
  const r = seededRandom(opts.seed ?? 20260401);
  const sentences = seedSentences(opts.seedsDir);
  const postChars = opts.postChars ?? 2000;
  const rate = opts.injectRate ?? 0.02;
  const posts: string[] = [];
  let total = 0;
  while (total < opts.chars) {
    let post = '';
    while (post.length < postChars) {
      let s = sentences[Math.floor(r() * sentences.length)]!;
      if (opts.terms.length > 0 && r() < rate) {
        const at = Math.floor(r() * s.length);
        s = s.slice(0, at) + evade(opts.terms[Math.floor(r() * opts.terms.length)]!, r) + s.slice(at);
      }
      post += s;
    }
    posts.push(post);
    total += post.length;
  }
  return posts;
}
