/** Paths the rule tests share: the repo, its default packs, and `shared/` beside the repo (seeds, the 51k lexicon). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const RULES_DIR = resolve(REPO, 'rules');
export const SEEDS_DIR = resolve(REPO, '../shared/seeds');
export const LEXICON_51K = resolve(REPO, '../shared/bench/lexicon-51k.txt');
export const HERE = resolve(REPO, 'test/rules');
