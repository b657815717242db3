import type { EventDataByType } from '../core/events.js';
import type { GateLedger } from '../core/gates.js';
import { GATE_EVENT_TYPES, isPendingApproval, readGates } from '../core/gates.js';
import type { Page } from '../store/page.js';
import type { RunStatus } from '../store/run-store.js';
import type { Store } from '../store/store.js';

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

/**
 * A session's open gates, projected from its log (the only record of them): whatever commit
 * decided or opened a gate is in the log, so the projection is right after any restart.
 */
export async function sessionGates(store: Store, sessionId: string): Promise<PendingGates> {
  return pendingOf(readGates(await store.readEvents(sessionId, { types: [...GATE_EVENT_TYPES] })));
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
  return { items, ...(runs.nextCursor !== undefined && { nextCursor: runs.nextCursor }) };
}
