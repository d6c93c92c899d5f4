/**
 * Risk routing of a machine-reviewed version: how many distinct human approvals
 * it needs, which role decides, and its priority in the queue.
 */
import type { MachineReviewResult, Severity } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Classifier score from which a non-clean label alone makes a post high risk. */
export const HIGH_RISK_CLASSIFIER_SCORE = 0.9;

export interface Routing {
  requiredApprovals: 1 | 2;
  assignedRole: 'reviewer' | 'compliance';
  /** Larger is riskier; queues sort by it. */
  riskScore: number;
}

/**
 * High risk (two approvals from two different reviewers): any finding in the
 * political or confidentiality gate, any high or critical finding, a machine
 * block, or a confident non-clean classifier label. Confidentiality findings go
 * to the compliance role.
 */
export function routeReview(result: Pick<MachineReviewResult, 'verdict' | 'hits' | 'classifier'>): Routing {
  let maxSeverity = 0;
  let highRisk = result.verdict === 'block';
  let confidential = false;
  for (const h of result.hits) {
    if (h.action === 'info') continue;
    maxSeverity = Math.max(maxSeverity, SEVERITY_RANK[h.severity]);
    if (h.gate === 'political' || h.gate === 'confidentiality' || SEVERITY_RANK[h.severity] >= 3) highRisk = true;
    if (h.gate === 'confidentiality') confidential = true;
  }
  const c = result.classifier;
  const classifierRisk = c && c.label !== 'clean' ? c.score : 0;
  if (classifierRisk >= HIGH_RISK_CLASSIFIER_SCORE) highRisk = true;
  const verdictRank = { pass: 0, review: 1, block: 2 }[result.verdict];
  return {
    requiredApprovals: highRisk ? 2 : 1,
    assignedRole: confidential ? 'compliance' : 'reviewer',
    riskScore: verdictRank * 100 + maxSeverity * 10 + Math.round(classifierRisk * 9),
  };
}
