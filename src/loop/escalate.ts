import type { EventDataByType } from '../core/events.js';

/** A guardrail that tripped with `action: 'escalate'`: what a person would be asked to decide. */
export interface Escalation {
  tripped: EventDataByType['guardrail.tripped'];
  /** What was stopped: the user message, the answer, or the tool call. */
  value: unknown;
}

/** What became of an escalation. */
export type EscalationOutcome = { decision: 'blocked' };

/**
 * Turns an escalating guardrail into a request for a person's decision. Approvals (issue 14) are
 * not in the runtime yet, so for now an escalation blocks exactly like `block` (the
 * `guardrail.tripped` event still says `escalate`); this is the one place to wire an approval
 * request in when they land.
 */
export async function escalate(_escalation: Escalation): Promise<EscalationOutcome> {
  return { decision: 'blocked' };
}
