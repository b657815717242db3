import type { GateLedger } from '../core/gates.js';
import { GATE_EVENT_TYPES, isPendingApproval, readGates } from '../core/gates.js';
import { newSecret } from '../core/ids.js';
import type { Waiting } from '../loop/run-tool-calls.js';
import type { TurnOutcome } from '../loop/types.js';
import { AppendConflictError } from '../store/append-conflict.js';
import type { Lease } from '../store/run-store.js';
import { CHILD_RECHECK_MS, settleChild } from './child-runs.js';
import type { RuntimeContext } from './runtime-context.js';
import type { StoreJournal } from './store-journal.js';

/**
 * The owner of the lease a parked run carries when one of its approvals can expire: nobody
 * holds it (a `waiting` run is never claimed); its `expiresAt` tells the sweep when to look.
 */
export const WAITING_OWNER = 'baton:waiting';

/** The earliest `expiresAt` among the open approvals a run waits on, in epoch ms. */
export function earliestExpiry(ledger: GateLedger, waiting: Waiting): number | undefined {
  let earliest: number | undefined;
  for (const state of ledger.approvals.values()) {
    const { approvalId, expiresAt } = state.request;
    if (expiresAt === undefined || !waiting.approvalIds.includes(approvalId) || !isPendingApproval(state))
      continue;
    const at = Date.parse(expiresAt);
    earliest = earliest === undefined ? at : Math.min(earliest, at);
  }
  return earliest;
}

/** When the sweep looks at a parked run: its earliest approval expiry, sooner when it waits on children. */
function recheckAt(ledger: GateLedger, waiting: Waiting): number | undefined {
  const expiry = earliestExpiry(ledger, waiting);
  if ((waiting.childSessionIds ?? []).length === 0) return expiry;
  return Math.min(expiry ?? Number.POSITIVE_INFINITY, Date.now() + CHILD_RECHECK_MS);
}

/** The lease a parked run carries so that the sweep finds its expiry without reading every log. */
export function expiryLease(expiresAt: number | undefined): Lease | null {
  return expiresAt === undefined ? null : { owner: WAITING_OWNER, token: newSecret(), expiresAt };
}

/**
 * Parks a run whose turn waits for approvals or answers: commits `run.waiting` (run and session
 * `waiting`, lease released) only while nobody appended since the turn's last commit. When
 * someone did — a decision that landed while the step's other tools ran, a follow-up — the run
 * is not parked: its lease is released and it is resumed at once, reading the log afresh, so a
 * decision can never be left unseen by a parked run.
 */
export async function parkRun(
  context: RuntimeContext,
  journal: StoreJournal,
  outcome: Extract<TurnOutcome, { status: 'waiting' }>,
  activeMs: number,
): Promise<void> {
  const gates = readGates(
    await context.store.readEvents(journal.sessionId, { types: [...GATE_EVENT_TYPES] }),
  );
  const { approvalIds, requestIds, childSessionIds = [], taskIds } = outcome.waiting;
  const data = {
    approvalIds,
    requestIds,
    ...(childSessionIds.length > 0 && { waitingOn: 'children' as const, childSessionIds }),
    ...(taskIds !== undefined && { waitingOn: 'children' as const, taskIds }),
  };
  try {
    await journal.appendMany(
      [{ type: 'run.waiting', data }],
      { usage: outcome.usage, activeMs, lease: expiryLease(recheckAt(gates, outcome.waiting)) },
      { expectedHeadSeq: journal.knownHead },
    );
  } catch (error) {
    if (!(error instanceof AppendConflictError)) throw error;
    return;
  }
  // A child that ended while the turn decided to wait found its parent still running and did
  // not queue it; looking once more now that the run is parked closes that gap (whichever of
  // the two commits second sees the other).
  for (const childSessionId of childSessionIds) await settleChild(context, childSessionId);
}
