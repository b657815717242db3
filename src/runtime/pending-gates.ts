import type { BatonEvent, EventDataByType } from '../core/events.js';
import type { GateLedger } from '../core/gates.js';
import { GATE_EVENT_TYPES, isPendingApproval, readGates } from '../core/gates.js';
import type { Page } from '../store/page.js';
import type { RunStatus } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import { activeBackgroundChildren } from './background-children.js';
import { isRecordedChild } from './recorded-child.js';

/** An open approval as the API lists it (`GET /v1/approvals`, a session's `pendingApprovals`). */
export type PendingApproval = Omit<EventDataByType['approval.requested'], 'human'> & {
  sessionId: string;
  runId: string;
};

/** An open question as the API lists it (a session's `pendingInputs`). */
export interface PendingInput {
  requestId: string;
  sessionId: string;
  runId: string;
  toolCallId: string;
  question: string;
  choices?: string[];
  schema?: Record<string, unknown>;
  agent: string;
  runPath: string[];
}

/** The open approvals and questions of one session. */
export interface PendingGates {
  pendingApprovals: PendingApproval[];
  pendingInputs: PendingInput[];
}

/** Runs that can have open gates: parked ones, and running ones still finishing the step that asked. */
const GATED_RUN_STATUSES: RunStatus[] = ['waiting', 'running'];

function pendingOf(ledger: GateLedger): PendingGates {
  const pendingApprovals: PendingApproval[] = [];
  for (const state of ledger.approvals.values()) {
    if (!isPendingApproval(state)) continue;
    const { human: _human, ...request } = state.request;
    pendingApprovals.push({ ...request, sessionId: state.sessionId, runId: state.runId });
  }
  const pendingInputs: PendingInput[] = [];
  for (const state of ledger.questions.values()) {
    if (state.answer === undefined)
      pendingInputs.push({ ...state.request, sessionId: state.sessionId, runId: state.runId });
  }
  return { pendingApprovals, pendingInputs };
}

/** The child sessions (agents used as tools) a session's log shows started and not yet settled. */
function runningChildSessions(events: readonly BatonEvent[]): string[] {
  const running = new Set<string>();
  for (const event of events) {
    if (event.type === 'subagent.started') running.add(event.data.childSessionId);
    if (event.type === 'subagent.completed') running.delete(event.data.childSessionId);
  }
  return [...running];
}

/**
 * The open gates of a session's running child sessions (agents used as tools), of its background
 * children's task sessions, and of theirs (approvals from below).
 * Only sessions recorded as its children count ({@link isRecordedChild}): one naming itself
 * would otherwise recurse without end, an unrelated one surface another session's gates here.
 */
async function childGates(
  store: Store,
  sessionId: string,
  events: readonly BatonEvent[],
): Promise<PendingGates> {
  const gates: PendingGates = { pendingApprovals: [], pendingInputs: [] };
  const children: string[] = [];
  for (const child of runningChildSessions(events)) {
    if (await isRecordedChild(store, child, sessionId)) children.push(child);
  }
  // Background children (tasks in this session's namespace, which only the runtime writes).
  for (const { run } of await activeBackgroundChildren(store, sessionId)) children.push(run.sessionId);
  for (const child of children) {
    const below = await sessionGates(store, child);
    gates.pendingApprovals.push(...below.pendingApprovals);
    gates.pendingInputs.push(...below.pendingInputs);
  }
  return gates;
}

/** Gate events and the child-session events that lead to the gates below. */
const TREE_GATE_TYPES = [...GATE_EVENT_TYPES, 'subagent.started', 'subagent.completed'];

/**
 * A session's open gates, projected from its log (the only record of them): whatever commit
 * decided or opened a gate is in the log, so the projection is right after any restart. The
 * gates of its running child sessions come after its own: a person deciding on the root
 * session sees what its children wait for (each entry names its own session and `runPath`).
 */
export async function sessionGates(store: Store, sessionId: string): Promise<PendingGates> {
  const events = await store.readEvents(sessionId, { types: TREE_GATE_TYPES });
  const own = pendingOf(readGates(events));
  const below = await childGates(store, sessionId, events);
  return {
    pendingApprovals: [...own.pendingApprovals, ...below.pendingApprovals],
    pendingInputs: [...own.pendingInputs, ...below.pendingInputs],
  };
}

/**
 * The open approvals across sessions (or of one), newest run first, paged by run: a projection
 * over the runs that can hold open gates (`waiting`, `running`), each read from its session's
 * log. See docs/decisions.md (issue 14) for why it is not a table of its own.
 */
export async function listPendingApprovals(
  store: Store,
  options: { sessionId?: string; limit: number; cursor?: string },
): Promise<Page<PendingApproval>> {
  const runs = await store.listRuns({
    status: GATED_RUN_STATUSES,
    limit: options.limit,
    ...(options.sessionId !== undefined && { sessionId: options.sessionId }),
    ...(options.cursor !== undefined && { cursor: options.cursor }),
  });
  const bySession = new Map<string, Promise<PendingGates>>();
  const items: PendingApproval[] = [];
  for (const run of runs.items) {
    if (!bySession.has(run.sessionId)) bySession.set(run.sessionId, sessionGates(store, run.sessionId));
  }
  for (const run of runs.items) {
    const gates = await (bySession.get(run.sessionId) as Promise<PendingGates>);
    items.push(...gates.pendingApprovals.filter((approval) => approval.runId === run.id));
  }
  // One session's list also holds what its children wait for, on the first page.
  if (options.sessionId !== undefined && options.cursor === undefined) {
    const events = await store.readEvents(options.sessionId, { types: TREE_GATE_TYPES });
    items.push(...(await childGates(store, options.sessionId, events)).pendingApprovals);
  }
  return { items, ...(runs.nextCursor !== undefined && { nextCursor: runs.nextCursor }) };
}
