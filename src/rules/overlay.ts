/**
 * Rules managed through the compliance API, laid over the file packs. An API
 * rule with the id of a file rule replaces it (a disabled one removes it); new
 * ids join a pack of their gate. The overlay is small and travels with each
 * job, so every worker — thread or process, on any machine — reviews with
 * exactly the rules that were in force when the job was queued, and the rules
 * version recorded with the review names them.
 */
import { createHash } from 'node:crypto';
import { CATEGORY_GATE, type Gate } from '../review/types.js';
import type { PackInput } from './compile.js';
import type { RuleSpec } from './pack.js';

export interface RulesOverlay {
  /** Content hash of the rules; '' for the empty overlay. */
  version: string;
  rules: RuleSpec[];
}

export const EMPTY_OVERLAY: RulesOverlay = { version: '', rules: [] };

export function overlayVersion(rules: readonly RuleSpec[]): string {
  if (rules.length === 0) return '';
  const h = createHash('sha256');
  for (const r of [...rules].sort((a, b) => a.id.localeCompare(b.id))) h.update(JSON.stringify(r)).update('\n');
  return h.digest('hex').slice(0, 16);
}

export function makeOverlay(rules: RuleSpec[]): RulesOverlay {
  return { version: overlayVersion(rules), rules };
}

/** The file packs with the overlay applied. */
export function applyOverlay(base: readonly PackInput[], overlay: RulesOverlay): PackInput[] {
  if (overlay.rules.length === 0) return [...base];
  const replaced = new Set(overlay.rules.map((r) => r.id));
  const out: PackInput[] = base.map((p) => ({ source: p.source, pack: { ...p.pack, rules: p.pack.rules.filter((r) => !replaced.has(r.id)) } }));
  const byGate = new Map<Gate, RuleSpec[]>();
  for (const r of overlay.rules) {
    if (r.enabled === false) continue;
    const gate = CATEGORY_GATE[r.category];
    byGate.set(gate, [...(byGate.get(gate) ?? []), r]);
  }
  for (const [gate, rules] of byGate) out.push({ source: `api:${gate}`, pack: { pack: `api-${gate}`, gate, rules } });
  return out;
}
