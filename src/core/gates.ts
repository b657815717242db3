import type { BatonEvent, EventDataByType } from './events.js';
import { hashCanonical, sha256Hex } from './hash.js';

/**
 * Approvals and questions ("gates"): a tool call that waits for a decision or an answer.
 * Shared by the loop (which opens and passes gates) and the runtime (which decides them), so
 * both read the log the same way. The log is the only record: nothing here is stored elsewhere.
 */

export type ApprovalRequest = EventDataByType['approval.requested'];
export type ApprovalDecision = EventDataByType['approval.decided'];
export type InputRequest = EventDataByType['input.requested'];
/** The tool guardrail that escalated a call to an approval. */
export type ApprovalGuardrail = NonNullable<ApprovalRequest['guardrail']>;

/** What the runtime's `approvals` policy answers: decide now, or wait for a person. */
export type PolicyVerdict = 'approve' | 'deny' | 'ask';

/** `createRuntime({ approvals })`: decides approvals by rule, recorded with `by: 'policy'`. */
export type ApprovalPolicy = (
  request: ApprovalRequest & { sessionId: string; runId: string },
) => PolicyVerdict | Promise<PolicyVerdict>;

/** One approval as the log tells it. */
export interface ApprovalState {
  sessionId: string;
  runId: string;
  request: ApprovalRequest;
  decided?: ApprovalDecision & { decidedAt: string };
  expired?: boolean;
}

/** One question as the log tells it. */
export interface QuestionState {
  sessionId: string;
  runId: string;
  request: InputRequest;
  answer?: { value: unknown; by: string };
}

/** The gates of a session's log, by the tool call they hold. */
export interface GateLedger {
  approvals: Map<string, ApprovalState>;
  questions: Map<string, QuestionState>;
}

/** The event types a gate ledger is built from (a reader can ask the store for only these). */
export const GATE_EVENT_TYPES = [
  'approval.requested',
  'approval.decided',
  'approval.expired',
  'input.requested',
  'input.provided',
] as const;

/** Gates as JSON (a checkpoint keeps the open ones). */
export interface GateStates {
  approvals: ApprovalState[];
  questions: QuestionState[];
}

/**
 * Scans a session's log (or just its gate events) into the state of every gate; `before`:
 * the gates as they were when `events` begin (a checkpoint's).
 */
export function readGates(
  events: readonly BatonEvent[],
  before: GateStates = { approvals: [], questions: [] },
): GateLedger {
  const approvals = new Map<string, ApprovalState>();
  const questions = new Map<string, QuestionState>();
  const approvalById = new Map<string, ApprovalState>();
  const questionById = new Map<string, QuestionState>();
  for (const state of before.approvals) {
    approvals.set(state.request.toolCallId, state);
    approvalById.set(state.request.approvalId, state);
  }
  for (const state of before.questions) {
    questions.set(state.request.toolCallId, state);
    questionById.set(state.request.requestId, state);
  }
  for (const event of events) {
    switch (event.type) {
      case 'approval.requested': {
        const state = { sessionId: event.sessionId, runId: event.runId, request: event.data };
        approvals.set(event.data.toolCallId, state);
        approvalById.set(event.data.approvalId, state);
        break;
      }
      case 'approval.decided': {
        const state = approvalById.get(event.data.approvalId);
        if (state && !state.decided && !state.expired) state.decided = { ...event.data, decidedAt: event.ts };
        break;
      }
      case 'approval.expired': {
        const state = approvalById.get(event.data.approvalId);
        if (state && !state.decided) state.expired = true;
        break;
      }
      case 'input.requested': {
        const state = { sessionId: event.sessionId, runId: event.runId, request: event.data };
        questions.set(event.data.toolCallId, state);
        questionById.set(event.data.requestId, state);
        break;
      }
      case 'input.provided': {
        const state = questionById.get(event.data.requestId);
        if (state && !state.answer) state.answer = { value: event.data.answer, by: event.data.by };
        break;
      }
      default:
        break;
    }
  }
  return { approvals, questions };
}

/** The gates of a ledger still waiting for a decision or an answer. */
export function openGates(ledger: GateLedger): GateStates {
  return {
    approvals: [...ledger.approvals.values()].filter(isPendingApproval),
    questions: [...ledger.questions.values()].filter((state) => state.answer === undefined),
  };
}

/** True while an approval has neither a decision nor an expiry. */
export function isPendingApproval(state: ApprovalState): boolean {
  return state.decided === undefined && state.expired !== true;
}

/** True once an open approval's `expiresAt` has passed. */
export function isPastExpiry(request: ApprovalRequest, now: number): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now;
}

/** The hash a decision must name to bind to this exact input. */
export function inputHashOf(input: unknown): string {
  return hashCanonical(input ?? null);
}

const GATE_PREFIXES = { approval: 'apr_', question: 'inp_' } as const;
const SESSION_PREFIX = 'ses_';

/**
 * A gate's id: deterministic for its tool call (a request re-opened after a crash keeps its
 * id) and carrying its session, so a decision finds the one log it belongs to without an index.
 */
export function gateId(
  kind: keyof typeof GATE_PREFIXES,
  call: { sessionId: string; runId: string; toolCallId: string },
): string {
  const session = call.sessionId.startsWith(SESSION_PREFIX)
    ? call.sessionId.slice(SESSION_PREFIX.length)
    : call.sessionId;
  return `${GATE_PREFIXES[kind]}${session}_${sha256Hex(`${call.runId}\n${call.toolCallId}`).slice(0, 20)}`;
}

/** The session a gate id names, or undefined when the id is not one Baton made. */
export function sessionOfGateId(kind: keyof typeof GATE_PREFIXES, id: string): string | undefined {
  const prefix = GATE_PREFIXES[kind];
  const last = id.lastIndexOf('_');
  if (!id.startsWith(prefix) || last <= prefix.length) return undefined;
  return `${SESSION_PREFIX}${id.slice(prefix.length, last)}`;
}
