import { isQuestionTool, type QuestionInput } from '../core/ask-question.js';
import type { ToolErrorCode } from '../core/error-codes.js';
import type { ToolCallRecord } from '../core/events.js';
import type {
  ApprovalGuardrail,
  ApprovalPolicy,
  ApprovalRequest,
  ApprovalState,
  GateLedger,
} from '../core/gates.js';
import { gateId, inputHashOf, isPastExpiry } from '../core/gates.js';
import type { AnyTool, ToolContext, ToolOutcome } from '../core/tool.js';
import { validateToolInput } from '../core/tool.js';
import type { Clock } from '../model/clock.js';
import type { Journal } from './journal.js';

/** What a tool call may do now: run, take a result without running, or wait for a person. */
export type GateVerdict =
  | { pass: 'run' }
  | { pass: 'result'; outcome: ToolOutcome }
  | { pass: 'wait'; approvalId?: string; requestId?: string; childSessionIds?: string[] };

/** What passing a gate needs besides the call. */
export interface GateContext {
  journal: Journal;
  clock: Clock;
  ledger: GateLedger;
  agent: string;
  /** Run ids from the session's root run to this one. */
  runPath: string[];
  policy: ApprovalPolicy | undefined;
  toolContext: ToolContext;
}

const RUN: GateVerdict = { pass: 'run' };

function refused(code: ToolErrorCode, message: string): GateVerdict {
  return { pass: 'result', outcome: { ok: false, output: null, error: { code, message } } };
}

/** The outcome a settled approval gives its call. */
function settledApproval(state: ApprovalState): GateVerdict | undefined {
  if (state.expired)
    return refused('approval_expired', `the approval for ${state.request.name} expired undecided`);
  if (state.decided?.decision === 'approve') return RUN;
  if (state.decided?.decision === 'deny') {
    return refused('denied', state.decided.reason ?? `${state.decided.by} denied ${state.request.name}`);
  }
  return undefined;
}

async function approvalGate(
  gate: GateContext,
  candidate: AnyTool,
  call: ToolCallRecord,
  escalation: ApprovalGuardrail | undefined,
): Promise<GateVerdict> {
  const existing = gate.ledger.approvals.get(call.toolCallId);
  if (existing) {
    const settled = settledApproval(existing);
    if (settled) return settled;
    if (isPastExpiry(existing.request, gate.clock.now())) {
      const { approvalId, expiresAt = '' } = existing.request;
      await gate.journal.append({ type: 'approval.expired', data: { approvalId, expiresAt } });
      return settledApproval({ ...existing, expired: true }) as GateVerdict;
    }
    // A crash between the request and the policy's decision asks the policy again.
    return decide(gate, existing.request, false);
  }
  // Invalid input never reaches the tool, so it needs nobody's approval: it fails as usual.
  const parsed = await validateToolInput(candidate, call.input);
  if (!parsed.ok) return RUN;
  const rule = candidate.needsApproval;
  const needed =
    escalation !== undefined ||
    (typeof rule === 'function' ? await rule(parsed.value, gate.toolContext) : rule !== undefined);
  if (!needed) return RUN;
  const now = gate.clock.now();
  const request = {
    approvalId: gateId('approval', gate.toolContext),
    toolCallId: call.toolCallId,
    name: call.name,
    input: call.input,
    inputHash: inputHashOf(call.input),
    agent: gate.agent,
    requestedAt: new Date(now).toISOString(),
    ...(candidate.approvalExpiresInMs !== undefined && {
      expiresAt: new Date(now + candidate.approvalExpiresInMs).toISOString(),
    }),
    runPath: gate.runPath,
    ...(rule === 'human' && { human: true as const }),
    ...(escalation !== undefined && { guardrail: escalation }),
  };
  return decide(gate, request, true);
}

/** Asks the policy (unless only a person may decide) and commits what it says; `fresh` also commits the request. */
async function decide(gate: GateContext, request: ApprovalRequest, fresh: boolean): Promise<GateVerdict> {
  const verdict =
    gate.policy === undefined || request.human
      ? 'ask'
      : await gate.policy({ ...request, sessionId: gate.journal.sessionId, runId: gate.journal.runId });
  if (fresh) await gate.journal.append({ type: 'approval.requested', data: request });
  if (verdict === 'ask') return { pass: 'wait', approvalId: request.approvalId };
  const decided = { approvalId: request.approvalId, decision: verdict, by: 'policy' } as const;
  await gate.journal.append({ type: 'approval.decided', data: decided });
  return verdict === 'approve' ? RUN : refused('denied', `the approval policy denied ${request.name}`);
}

async function questionGate(
  gate: GateContext,
  candidate: AnyTool,
  call: ToolCallRecord,
): Promise<GateVerdict> {
  const existing = gate.ledger.questions.get(call.toolCallId);
  if (existing?.answer) return { pass: 'result', outcome: { ok: true, output: existing.answer.value } };
  if (existing) return { pass: 'wait', requestId: existing.request.requestId };
  const parsed = await validateToolInput(candidate, call.input);
  // The executor reports the invalid input; the question tool's execute is never reached.
  if (!parsed.ok) return RUN;
  const input = parsed.value as QuestionInput;
  const request = {
    requestId: gateId('question', gate.toolContext),
    toolCallId: call.toolCallId,
    question: input.question,
    ...(input.choices !== undefined && { choices: input.choices }),
    ...(input.schema !== undefined && { schema: input.schema }),
    agent: gate.agent,
    runPath: gate.runPath,
  };
  await gate.journal.append({ type: 'input.requested', data: request });
  return { pass: 'wait', requestId: request.requestId };
}

/** What passing a call's gate needs to know besides the log. */
export interface GateCall {
  /** The step's tool input was not JSON: the executor reports it, no gate opens. */
  inputIsMalformed: boolean;
  /** A tool guardrail escalated the call: it needs an approval whatever its `needsApproval`. */
  escalation?: ApprovalGuardrail;
}

/**
 * Decides whether a tool call may run now, from the log: a call that needs approval (by its
 * `needsApproval`, or escalated by a tool guardrail) commits `approval.requested` (or the
 * policy's decision) and waits; an approved call runs, a denied or expired one becomes a tool
 * error; `ask_question` commits `input.requested` and waits, and its answer becomes the result.
 * Calls without a gate simply run, told so synchronously: nearly every call has none, and
 * the loop need not wait a microtask turn per call to hear it.
 */
export function passGate(
  gate: GateContext,
  candidate: AnyTool | undefined,
  call: ToolCallRecord,
  { inputIsMalformed, escalation }: GateCall,
): GateVerdict | Promise<GateVerdict> {
  if (candidate === undefined || inputIsMalformed) return RUN;
  if (isQuestionTool(candidate)) return questionGate(gate, candidate, call);
  const gated = escalation !== undefined || gate.ledger.approvals.has(call.toolCallId);
  if (candidate.needsApproval === undefined && !gated) return RUN;
  return approvalGate(gate, candidate, call, escalation);
}
