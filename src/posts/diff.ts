/** Character-level diff between two versions of a text (jsdiff, Myers' algorithm). */
import { diffChars } from 'diff';
import type { DiffPart } from './types.js';

export function textDiff(a: string, b: string): DiffPart[] {
  return diffChars(a, b).map((p) => ({ op: p.added ? 'insert' : p.removed ? 'delete' : 'equal', text: p.value }));
}
