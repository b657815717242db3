import { setTimeout as sleep } from 'node:timers/promises';
import type { GateLedger } from '../core/gates.js';
import { GATE_EVENT_TYPES, isPendingApproval, readGates } from '../core/gates.js';
import type { Waiting } from '../loop/run-tool-calls.js';
import type { Store } from '../store/store.js';

/** How long a delegated task waits for a decision on an approval that sets no `expiresAt`. */
export const TASK_GATE_WAIT_MS = 15 * 60_000;
/** How often the waiting task reads its log for the decision. */
const POLL_MS = 100;

/** What {@link awaitTaskGates} waits on. */
export interface TaskGateWait {
  store: Store;
  sessionId: string;
  waiting: Waiting;
  signal: AbortSignal;
  /** Default {@link TASK_GATE_WAIT_MS}. */
  maxWaitMs?: number;
}

/** The ids of `waiting` still open in the ledger, and the earliest `expiresAt` among them. */
function stillOpen(ledger: GateLedger, waiting: Waiting): { open: number; expiresAt?: number } {
  let open = 0;
  let expiresAt: number | undefined;
  for (const state of ledger.approvals.values()) {
    if (!waiting.approvalIds.includes(state.request.approvalId) || !isPendingApproval(state)) continue;
    open += 1;
    const at = state.request.expiresAt === undefined ? undefined : Date.parse(state.request.expiresAt);
    if (at !== undefined && (expiresAt === undefined || at < expiresAt)) expiresAt = at;
  }
  for (const state of ledger.questions.values()) {
    if (waiting.requestIds.includes(state.request.requestId) && state.answer === undefined) open += 1;
  }
  return { open, ...(expiresAt !== undefined && { expiresAt }) };
}

/**
 * Waits, holding the task's run (a task's turn cannot park: its profile's work is one call),
 * until every approval and question of `waiting` is settled in the session's log — by a person
 * over HTTP, the CLI, the client, or the delegating MCP client's elicitation. True when they
 * all are; false when the earliest approval's `expiresAt` (else `maxWaitMs`) passed first or the
 * signal aborted: nobody answered in time (docs/delegation.md, "Approvals").
 */
export async function awaitTaskGates(wait: TaskGateWait): Promise<boolean> {
  const giveUpAt = Date.now() + (wait.maxWaitMs ?? TASK_GATE_WAIT_MS);
  while (!wait.signal.aborted) {
    const events = await wait.store.readEvents(wait.sessionId, { types: [...GATE_EVENT_TYPES] });
    const { open, expiresAt } = stillOpen(readGates(events), wait.waiting);
    if (open === 0) return true;
    if (Date.now() >= Math.min(giveUpAt, expiresAt ?? giveUpAt)) return false;
    try {
      await sleep(POLL_MS, undefined, { signal: wait.signal });
    } catch {
      // Aborted (cancel, shutdown): the loop condition ends the wait.
    }
  }
  return false;
}
