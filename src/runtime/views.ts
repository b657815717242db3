import type { Usage } from '../core/events.js';
import { addUsage, emptyUsage } from '../loop/usage.js';
import type { RunRecord, SessionRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import { sessionGates } from './pending-gates.js';
import type { RunView, SessionView } from './types.js';

/** Most runs a session view lists (newest first). */
const SESSION_VIEW_RUNS = 1000;

/** A run without its lease token: the token is the only thing that lets a worker commit. */
export function runView(run: RunRecord): RunView {
  const { lease, ...rest } = run;
  return { ...rest, lease: lease && { owner: lease.owner, expiresAt: lease.expiresAt } };
}

/** A session without its token hash, with its runs (oldest first) and their summed usage. */
export async function sessionView(store: Store, session: SessionRecord): Promise<SessionView> {
  const { items } = await store.listRuns({ sessionId: session.id, limit: SESSION_VIEW_RUNS });
  const runs = items.reverse().map(runView);
  // Only a session with an active run can have open gates: the others cost no extra read.
  const gates =
    session.status === 'waiting' || session.status === 'running'
      ? await sessionGates(store, session.id)
      : { pendingApprovals: [], pendingInputs: [] };
  return {
    id: session.id,
    agent: session.agent,
    status: session.status,
    context: session.context,
    auth: session.auth,
    headSeq: session.headSeq,
    headHash: session.headHash,
    runs,
    usage: sumUsage(runs.map((run) => run.usage)),
    pendingApprovals: gates.pendingApprovals,
    pendingInputs: gates.pendingInputs,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

/** Adds usages; `costUsd` is present when any part knew its cost. */
export function sumUsage(usages: readonly Usage[]): Usage {
  return usages.reduce(addUsage, emptyUsage());
}
