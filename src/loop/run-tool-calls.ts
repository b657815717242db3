import { isAgentTool } from '../core/agent.js';
import type { EventDataByType, EventDraft, ToolCallRecord } from '../core/events.js';
import type { ApprovalPolicy, GateLedger } from '../core/gates.js';
import { isPromiseLike } from '../core/promise-like.js';
import type { ToolContext, ToolOutcome } from '../core/tool.js';
import type { Clock } from '../model/clock.js';
import { observeToolCall } from '../telemetry/instrumentation.js';
import type { ActiveAgent } from './agent-roster.js';
import type { ChildPhase } from './child-gate.js';
import { childGate } from './child-gate.js';
import type { ContextState } from './context-state.js';
import { executeToolCall } from './execute-tool-call.js';
import type { ToolScreen } from './guardrails.js';
import type { Journal } from './journal.js';
import type { GateVerdict } from './pass-gate.js';
import { passGate } from './pass-gate.js';
import type { SkillActivations } from './skills/skill-activations.js';
import type { Transcript } from './transcript.js';

type ToolResultData = EventDataByType['tool.result'];

/** Everything the tool phase of one step needs. */
export interface ToolPhase {
  journal: Journal;
  transcript: Transcript;
  active: ActiveAgent;
  clock: Clock;
  signal: AbortSignal;
  toolContext: Pick<ToolContext, 'auth' | 'children'> & { context: ContextState };
  /** The step's response said its tool input was not JSON (`finishReason: 'malformed'`). */
  malformed: boolean;
  /** Tool guardrails: refuse the call before it starts (it gets that result, never runs), or escalate it to an approval. */
  screen?: (call: ToolCallRecord) => Promise<ToolScreen | undefined>;
  /** Calls with `tool.started` committed by an earlier attempt (resume). */
  started?: ReadonlySet<string>;
  /** Calls with `tool.result` committed already (resume): reused, never run again. */
  finished?: ReadonlySet<string>;
  /** The approvals and questions of the session's log, by tool call (docs/hitl.md). */
  gates: GateLedger;
  /** Decides approvals by rule before a person is asked (`createRuntime({ approvals })`). */
  approvals?: ApprovalPolicy;
  /** Run ids from the session's root run to this one. */
  runPath: string[];
  /** The session's activated skills: an `activate_skill` result commits `skill.activated` with it. */
  activations: SkillActivations;
  /** Agents used as tools: their child runs and what the log says of them. */
  children: ChildPhase;
}

/** The gates a step's calls wait on; the run parks until they are settled. */
export interface Waiting {
  approvalIds: string[];
  requestIds: string[];
  /** `children`: the run waits on child runs (`childSessionIds`) or background children (`taskIds`). */
  waitingOn?: 'children';
  /** Child runs (agents used as tools) still running; a child that settles queues the run again. */
  childSessionIds?: string[];
  /** Background children that have not reported (idle-yield). */
  taskIds?: string[];
}

const INTERRUPTED_MESSAGE =
  'the run was interrupted while this tool was running; it is not idempotent, so it was not run again';

/**
 * Commits a call's `tool.result`; the step's last one is staged instead, to commit with
 * `step.completed` (a crash in between re-runs no tool: a committed `tool.started` without a
 * result is settled by the idempotency rule, an uncommitted one is a call never started).
 */
function recordResult(
  phase: ToolPhase,
  result: ToolResultData,
  writes: readonly EventDraft[],
  last: boolean,
): Promise<unknown> | undefined {
  const draft = { type: 'tool.result', data: result } as const;
  // Context writes and a skill's activation commit in the same transaction as the result, or not at all.
  if (writes.length > 0) return phase.journal.appendMany([draft, ...writes]);
  return last ? phase.journal.stage(draft) : phase.journal.append(draft);
}

function gateContext(phase: ToolPhase, toolContext: ToolContext) {
  return {
    journal: phase.journal,
    clock: phase.clock,
    ledger: phase.gates,
    agent: phase.active.agent.name,
    runPath: phase.runPath,
    policy: phase.approvals,
    toolContext,
  };
}

type Waits = Extract<GateVerdict, { pass: 'wait' }>;

/** Runs one call to its committed result; a call left waiting on a gate commits none. */
async function runOne(
  phase: ToolPhase,
  call: ToolCallRecord,
  running: RunningCalls,
): Promise<ToolResultData | Waits | undefined> {
  const { journal, active, clock } = phase;
  const candidate = active.tools.get(call.name);
  let result: ToolResultData;
  let writes: EventDraft<'context.updated'>[] = [];
  // A call with an approval already had its guardrails' say: the approval decides it now.
  const screening =
    phase.started?.has(call.toolCallId) || phase.gates.approvals.has(call.toolCallId)
      ? undefined
      : phase.screen?.(call);
  const screened = screening === undefined ? undefined : await screening;
  if (screened !== undefined && 'refuse' in screened) {
    result = { toolCallId: call.toolCallId, name: call.name, ...screened.refuse, durationMs: 0 };
  } else if (phase.started?.has(call.toolCallId) && candidate?.idempotent !== true) {
    // A non-idempotent tool may already have had its effect: never run it a second time.
    result = {
      toolCallId: call.toolCallId,
      name: call.name,
      ok: false,
      output: null,
      error: { code: 'interrupted', message: INTERRUPTED_MESSAGE },
      durationMs: 0,
    };
  } else {
    const callContext = phase.toolContext.context.forCall();
    const context: ToolContext = {
      signal: phase.signal,
      runId: journal.runId,
      sessionId: journal.sessionId,
      toolCallId: call.toolCallId,
      context: callContext,
      ...(phase.toolContext.auth === undefined ? {} : { auth: phase.toolContext.auth }),
      ...(phase.toolContext.children === undefined ? {} : { children: phase.toolContext.children }),
    };
    const inputIsMalformed = phase.malformed && typeof call.input === 'string';
    const verdict = passGate(gateContext(phase, context), candidate, call, {
      inputIsMalformed,
      ...(screened !== undefined && { escalation: screened.escalate }),
    });
    let gate = isPromiseLike(verdict) ? await verdict : verdict;
    if (gate.pass === 'run' && isAgentTool(candidate) && !inputIsMalformed)
      gate = await childGate(phase.children, journal, candidate, call);
    if (gate.pass === 'wait') return gate;
    let outcome: ToolOutcome;
    let durationMs = 0;
    if (gate.pass === 'result') outcome = gate.outcome;
    else {
      const started = {
        type: 'tool.started',
        data: { toolCallId: call.toolCallId, name: call.name, input: call.input },
      } as const;
      // At-most-once needs a non-idempotent call's start durable before it runs; an idempotent
      // one may simply run again, so its start rides with the next commit (its result's, at latest).
      const recorded = candidate?.idempotent === true ? journal.stage(started) : journal.append(started);
      if (recorded !== undefined) await recorded;
      const startedAt = clock.now();
      const executed = await observeToolCall(
        call,
        executeToolCall.bind(undefined, candidate, call, context, inputIsMalformed),
      );
      // A tool that failed because the turn was aborted (cancel, timeout, shutdown) has no real
      // result: leaving `tool.started` unanswered lets a resumed run apply the idempotency rule.
      if (!executed.ok && phase.signal.aborted) {
        running.finishOne();
        return undefined;
      }
      const settled = callContext.settle(executed);
      outcome = settled.outcome;
      writes = settled.writes;
      durationMs = Math.max(0, clock.now() - startedAt);
    }
    result = { toolCallId: call.toolCallId, name: call.name, ...outcome, durationMs };
  }
  const activation = phase.activations.claim(result, active.skills);
  const all = activation.length === 0 ? writes : [...writes, ...activation];
  // A staged result (the step's last) usually leaves nothing to wait for (see `Journal.stage`).
  const recorded = recordResult(phase, result, all, running.finishOne());
  if (recorded !== undefined) await recorded;
  phase.toolContext.context.apply(writes);
  phase.transcript.addToolResult(result);
  return result;
}

/**
 * The calls of a step still running: `finishOne` says, as each call settles, whether it was the
 * last. An object, not a closure over a counter: the bench's dev loader (tsx) names every
 * closure it creates with a `defineProperty`, a cost per step that a method does not have.
 */
class RunningCalls {
  constructor(private running: number) {}

  finishOne(): boolean {
    this.running -= 1;
    return this.running === 0;
  }
}

/** The values of `work`, in order, once all of it settled; else the first failure, in order. */
async function allOrFirstFailure<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  return settled.map((entry) => {
    if (entry.status === 'rejected') throw entry.reason;
    return entry.value;
  });
}

/**
 * Runs a step's tool calls in parallel: `tool.started`, execute, `tool.result` for each, results
 * added to the transcript as they commit. On resume, committed results are reused and a started
 * call without a result is run again only if its tool is idempotent. Every call is awaited before
 * a journal failure (`LeaseLostError`) is rethrown, so no tool is left running unobserved (only
 * a tool that ignores an aborted signal is abandoned, so that it cannot hold the turn open).
 * Returns the results committed now, in call order, and the gates calls wait on (a call that
 * needs approval or asks a question commits its request instead of a result). A call that fails
 * while the turn is being aborted commits no result.
 */
export async function runToolCalls(
  phase: ToolPhase,
  calls: readonly ToolCallRecord[],
): Promise<{ results: ToolResultData[]; waiting: Waiting | undefined }> {
  const finished = phase.finished;
  const todo = finished === undefined ? calls : calls.filter((call) => !finished.has(call.toolCallId));
  const running = new RunningCalls(todo.length);
  // One call, the common case, needs no `allSettled`: there is no other call to wait for.
  const values =
    todo.length === 1
      ? [await runOne(phase, todo[0] as ToolCallRecord, running)]
      : await allOrFirstFailure(todo.map((call) => runOne(phase, call, running)));
  const results: ToolResultData[] = [];
  const waiting: Required<Pick<Waiting, 'approvalIds' | 'requestIds' | 'childSessionIds'>> = {
    approvalIds: [],
    requestIds: [],
    childSessionIds: [],
  };
  for (const value of values) {
    if (value === undefined) continue;
    if ('pass' in value) {
      if (value.approvalId !== undefined) waiting.approvalIds.push(value.approvalId);
      if (value.requestId !== undefined) waiting.requestIds.push(value.requestId);
      waiting.childSessionIds.push(...(value.childSessionIds ?? []));
    } else results.push(value);
  }
  const waits = waiting.approvalIds.length + waiting.requestIds.length + waiting.childSessionIds.length > 0;
  return { results, waiting: waits ? waiting : undefined };
}
