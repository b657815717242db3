import { foldContext } from '../core/context-key.js';
import type { Usage } from '../core/events.js';
import { addUsage, emptyUsage } from '../loop/usage.js';
import type { RunRecord, SessionRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WorkerRecord } from '../store/worker-registry.js';
import { sessionGates } from './pending-gates.js';
import { latestWait } from './run-wait.js';
import type { RunView, SessionView, WorkerView } from './types.js';

/** Most runs a session view lists (newest first). */
const SESSION_VIEW_RUNS = 1000;

/** A run without its lease token: the token is the only thing that lets a worker commit. */
export function runView(run: RunRecord): RunView {
  const { lease, ...rest } = run;
  return { ...rest, lease: lease && { owner: lease.owner, expiresAt: lease.expiresAt } };
}

/**
 * A run's view as `GET /v1/runs/:id` and a session's `runs` show it: a run parked on its
 * children (agents used as tools, background children) says `waitingOn: 'children'`, from its
 * newest `run.waiting` (read only for a `waiting` run).
 */
export async function runViewIn(store: Pick<Store, 'readEvents'>, run: RunRecord): Promise<RunView> {
  const view = runView(run);
  const wait = await latestWait(store, run);
  return wait?.waitingOn === 'children' ? { ...view, waitingOn: 'children' } : view;
}

/** A worker entry as the wire shows it: `expiresAt` an ISO 8601 string like every other time. */
export function workerView(worker: WorkerRecord): WorkerView {
  return { ...worker, expiresAt: new Date(worker.expiresAt).toISOString() };
}

/** A session without its token hash, with its current context, its runs (oldest first) and their summed usage. */
export async function sessionView(store: Store, session: SessionRecord): Promise<SessionView> {
  const [{ items }, contextEvents] = await Promise.all([
    store.listRuns({ sessionId: session.id, limit: SESSION_VIEW_RUNS }),
    store.readEvents(session.id, { types: ['session.started', 'context.updated'] }),
  ]);
  const runs = await Promise.all(items.reverse().map((run) => runViewIn(store, run)));
  // Only a session with an active run can have open gates: the others cost no extra read.
  const gates =
    session.status === 'waiting' || session.status === 'running'
      ? await sessionGates(store, session.id)
      : { pendingApprovals: [], pendingInputs: [] };
  return {
    id: session.id,
    agent: session.agent,
    status: session.status,
    // The current context: the initial one with every committed write (the log is the truth).
    context: foldContext(contextEvents, session.context),
    auth: session.auth,
    headSeq: session.headSeq,
    headHash: session.headHash,
    parentSessionId: session.parentSessionId,
    parentToolCallId: session.parentToolCallId,
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
