import { describe, expect, it } from 'vitest';
import { TRANSITIONS, mayAct, transition, type PostEvent, type PostStatus } from '../../src/review/transitions.js';

const ALL_EVENTS: PostEvent[] = [
  { type: 'machine_reviewed', verdict: 'pass' },
  { type: 'override_block', reason: '经合规审查确认无误' },
  { type: 'approve', approvals: 1, required: 1 },
  { type: 'reject', reason: '内容不实' },
  { type: 'request_changes', reason: '请修改表述' },
  { type: 'escalate', reason: '涉及保密' },
  { type: 'resubmit' },
  { type: 'schedule' },
  { type: 'publish' },
  { type: 'withdraw', reason: '政策已废止' },
  { type: 'annotate', reason: '本文件已废止' },
];

describe('transition table', () => {
  it('allows exactly the events listed for each status', () => {
    for (const from of Object.keys(TRANSITIONS) as PostStatus[]) {
      for (const ev of ALL_EVENTS) {
        const r = transition(from, ev);
        expect(r.ok, `${from} + ${ev.type}`).toBe(TRANSITIONS[from].includes(ev.type));
      }
    }
  });

  it('routes machine verdicts: block goes back to the editor, others to human review', () => {
    expect(transition('submitted', { type: 'machine_reviewed', verdict: 'block' })).toEqual({ ok: true, to: 'changes_requested' });
    expect(transition('submitted', { type: 'machine_reviewed', verdict: 'review' })).toEqual({ ok: true, to: 'pending_review' });
    expect(transition('submitted', { type: 'machine_reviewed', verdict: 'pass' })).toEqual({ ok: true, to: 'pending_review' });
  });

  it('approves only when the required number of approvals is reached', () => {
    expect(transition('pending_review', { type: 'approve', approvals: 1, required: 2 })).toEqual({ ok: true, to: 'pending_review' });
    expect(transition('pending_review', { type: 'approve', approvals: 2, required: 2 })).toEqual({ ok: true, to: 'approved' });
    expect(transition('pending_review', { type: 'approve', approvals: 0, required: 1 }).ok).toBe(false);
  });

  it('never publishes from anything but approved or scheduled', () => {
    for (const from of Object.keys(TRANSITIONS) as PostStatus[]) {
      const ok = transition(from, { type: 'publish' }).ok;
      expect(ok, from).toBe(from === 'approved' || from === 'scheduled');
    }
  });

  it('requires a reason for every decision but approve', () => {
    expect(transition('pending_review', { type: 'reject', reason: '  ' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(transition('pending_review', { type: 'request_changes', reason: '' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(transition('pending_review', { type: 'escalate', reason: '' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(transition('changes_requested', { type: 'override_block', reason: '' })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('a new version restarts machine review from any pre-publication status', () => {
    for (const from of ['changes_requested', 'pending_review', 'approved', 'rejected', 'scheduled'] as PostStatus[]) {
      expect(transition(from, { type: 'resubmit' })).toEqual({ ok: true, to: 'submitted' });
    }
    expect(transition('published', { type: 'resubmit' }).ok).toBe(false);
  });
});

describe('mayAct', () => {
  const editor = { id: 1, role: 'editor' as const };
  const reviewer = { id: 2, role: 'reviewer' as const };
  const compliance = { id: 3, role: 'compliance' as const };

  it('forbids authors from deciding on their own post, whatever their role', () => {
    expect(mayAct(reviewer, 'approve', 2)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(mayAct(compliance, 'override_block', 3)).toMatchObject({ ok: false });
    expect(mayAct(reviewer, 'approve', 1)).toEqual({ ok: true });
  });

  it('checks roles', () => {
    expect(mayAct(editor, 'approve', 9)).toMatchObject({ ok: false });
    expect(mayAct(reviewer, 'publish', 9)).toMatchObject({ ok: false });
    expect(mayAct(editor, 'publish', 1)).toEqual({ ok: true });
    expect(mayAct(reviewer, 'override_block', 9)).toMatchObject({ ok: false });
    expect(mayAct(compliance, 'override_block', 9)).toEqual({ ok: true });
    expect(mayAct(compliance, 'machine_reviewed', 9)).toMatchObject({ ok: false });
  });
});
