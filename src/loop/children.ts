import type { Agent } from '../core/agent.js';
import type { AdmissionClamp, BatonEvent, ChildRunStatus, EventDataByType, Usage } from '../core/events.js';

/** What the loop asks for when a tool call starts a child run (an agent used as a tool). */
export interface ChildStart {
  /** Unique per child within the parent session (the call's id, `:<index>` for a fan-out's children). */
  key: string;
  toolCallId: string;
  agent: Agent;
  message: string;
  /** Admission's clamps for the child's agent graph (its limits lowered to the parent's remaining budget). */
  clamps: AdmissionClamp[];
  /** Run ids from the root run to the parent run; the child appends its own. */
  runPath: string[];
}

/** How a child run settled, as `subagent.completed` records it. */
export interface ChildOutcome {
  status: ChildRunStatus;
  output: unknown;
  usage: Usage;
}

/**
 * The port through which the loop runs children in child sessions; the runtime implements it
 * over its store. The loop never touches SQL (docs/architecture.md, "Many agents").
 */
export interface ChildRuns {
  /** Starts (or, for a key started before, finds) the child's session and queued run. */
  start(child: ChildStart): Promise<{ childSessionId: string }>;
  /**
   * The child's outcome once its run settled — recorded as `subagent.completed` on the parent's
   * log exactly once, by whoever notices first — or undefined while it still runs.
   */
  settle(childSessionId: string): Promise<ChildOutcome | undefined>;
}

/** What the log says of one tool call's children. */
export interface ChildCallState {
  /** Child sessions in the order they started (a fan-out's index order). */
  started: string[];
  /** Settled children, in the order they settled. */
  completed: Map<string, ChildOutcome>;
  /** The admission verdict committed before the first child started. */
  admission: EventDataByType['admission.checked'] | undefined;
  /** The highest `fanout.progress` count committed for the call. */
  progressed: number;
}

/** The children of a session's tool calls, by tool call id, read from its log. */
export type ChildLedger = Map<string, ChildCallState>;

/** The state of `toolCallId` in the ledger, created empty when the log has none. */
export function childCall(ledger: ChildLedger, toolCallId: string): ChildCallState {
  let state = ledger.get(toolCallId);
  if (state === undefined) {
    state = { started: [], completed: new Map(), admission: undefined, progressed: 0 };
    ledger.set(toolCallId, state);
  }
  return state;
}

/** Builds the ledger from a session's events. */
export function readChildren(events: readonly BatonEvent[]): ChildLedger {
  const ledger: ChildLedger = new Map();
  const callOf = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'subagent.started') {
      childCall(ledger, event.data.toolCallId).started.push(event.data.childSessionId);
      callOf.set(event.data.childSessionId, event.data.toolCallId);
    } else if (event.type === 'subagent.completed') {
      const call = callOf.get(event.data.childSessionId);
      const { status, output, usage } = event.data;
      if (call !== undefined)
        childCall(ledger, call).completed.set(event.data.childSessionId, { status, output, usage });
    } else if (event.type === 'admission.checked' && event.data.toolCallId !== undefined) {
      childCall(ledger, event.data.toolCallId).admission = event.data;
    } else if (event.type === 'fanout.progress' && event.data.toolCallId !== undefined) {
      const state = childCall(ledger, event.data.toolCallId);
      state.progressed = Math.max(state.progressed, event.data.completed);
    }
  }
  return ledger;
}
