import type { Agent } from '../core/agent.js';
import type { AgentTool as AnyAgentTool, FanOutResult } from '../core/agent-tool.js';
import { childMessage } from '../core/agent-tool.js';
import type { EventDataByType, ToolCallRecord, Usage } from '../core/events.js';
import type { ToolOutcome } from '../core/tool.js';
import { validateToolInput } from '../core/tool.js';
import { rejection } from './admission/admit.js';
import type { ChildCallState, ChildLedger, ChildOutcome, ChildRuns } from './children.js';
import { childCall } from './children.js';
import type { Journal } from './journal.js';
import type { GateVerdict } from './pass-gate.js';

type AgentTool = AnyAgentTool<Agent>;

/** What a step needs to run agents as tools. */
export interface ChildPhase {
  /** The runtime's child sessions; without them an agent tool fails with `children_unavailable`. */
  runs: ChildRuns | undefined;
  ledger: ChildLedger;
  /** Admission before a child start: commits `admission.checked` with the call's id and returns it. */
  admit(agent: Agent, toolCallId: string): Promise<EventDataByType['admission.checked']>;
  /** Rolls a settled child's usage into the run's. */
  addUsage(usage: Usage): void;
  /** Run ids from the root run to this one. */
  runPath: string[];
}

function resultOf(tool: AgentTool, state: ChildCallState): ToolOutcome {
  if (tool.fanOut !== undefined) {
    const result: FanOutResult = { outcomes: [], cancelled: [] };
    for (const [childSessionId, outcome] of state.completed) {
      const index = state.started.indexOf(childSessionId);
      result.outcomes.push({ index, childSessionId, status: outcome.status, output: outcome.output });
      if (outcome.status === 'cancelled') result.cancelled.push(childSessionId);
    }
    return { ok: true, output: result };
  }
  const [[childSessionId, outcome] = []] = [...state.completed];
  return single(tool, childSessionId ?? '', outcome as ChildOutcome);
}

function single(tool: AgentTool, childSessionId: string, outcome: ChildOutcome): ToolOutcome {
  if (outcome.status === 'succeeded') return { ok: true, output: outcome.output };
  const detail = (outcome.output as { message?: unknown } | null)?.message;
  return {
    ok: false,
    output: null,
    error: {
      code: 'child_failed',
      message: `the ${tool.subagent.name} child run (session ${childSessionId}) ${outcome.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
    },
  };
}

/** Records the children that settled since the log was read, with a fan-out's progress. */
async function settleRunning(
  phase: ChildPhase,
  journal: Journal,
  runs: ChildRuns,
  state: ChildCallState,
  call: ToolCallRecord,
  total: number | undefined,
): Promise<void> {
  for (const childSessionId of state.started) {
    if (state.completed.has(childSessionId)) continue;
    const outcome = await runs.settle(childSessionId);
    if (outcome === undefined) continue;
    state.completed.set(childSessionId, outcome);
    phase.addUsage(outcome.usage);
  }
  if (total !== undefined && state.completed.size > state.progressed) {
    state.progressed = state.completed.size;
    await journal.append({
      type: 'fanout.progress',
      data: { completed: state.completed.size, total, toolCallId: call.toolCallId },
    });
  }
}

/**
 * The gate of an agent used as a tool, decided from the log: a call whose children have all
 * settled gets their outcome as its result; otherwise the children that settled are recorded,
 * admission runs once before the first start, new children start (for a fan-out, until
 * `maxParallel` run) with `subagent.started` committed after each, and the call waits. A
 * resumed parent finds its children by the call's id, so a crash never starts a second child.
 */
export async function childGate(
  phase: ChildPhase,
  journal: Journal,
  tool: AgentTool,
  call: ToolCallRecord,
): Promise<GateVerdict> {
  const runs = phase.runs;
  const parsed = await validateToolInput(tool, call.input);
  // Invalid input fails as usual; without a runtime `execute` says so (`children_unavailable`).
  if (!parsed.ok || runs === undefined) return { pass: 'run' };
  const inputs = tool.fanOut ? (parsed.value as { inputs: string[] }).inputs : [childMessage(parsed.value)];
  const state = childCall(phase.ledger, call.toolCallId);
  await settleRunning(phase, journal, runs, state, call, tool.fanOut ? inputs.length : undefined);
  if (state.started.length === 0) {
    state.admission ??= await phase.admit(tool.subagent, call.toolCallId);
    const refused = rejection(state.admission);
    if (refused !== undefined)
      return { pass: 'result', outcome: { ok: false, output: null, error: refused } };
  }
  const parallel = tool.fanOut?.maxParallel ?? 1;
  while (state.started.length < inputs.length && state.started.length - state.completed.size < parallel) {
    const index = state.started.length;
    const { childSessionId } = await runs.start({
      key: tool.fanOut ? `${call.toolCallId}:${index}` : call.toolCallId,
      toolCallId: call.toolCallId,
      agent: tool.subagent,
      message: inputs[index] ?? '',
      clamps: state.admission?.clamps ?? [],
      runPath: phase.runPath,
    });
    await journal.append({
      type: 'subagent.started',
      data: { childSessionId, agent: tool.subagent.name, toolCallId: call.toolCallId },
    });
    state.started.push(childSessionId);
  }
  if (state.completed.size < inputs.length) {
    const running = state.started.filter((id) => !state.completed.has(id));
    return { pass: 'wait', childSessionIds: running };
  }
  return { pass: 'result', outcome: resultOf(tool, state) };
}
