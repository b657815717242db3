import { ConflictError, NotFoundError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
import { AppendConflictError } from '../store/append-conflict.js';
import { isRunEnded } from '../store/records.js';
import type { RunRecord } from '../store/run-store.js';
import { activeBackgroundChildren } from './background-children.js';
import { activeChildRuns, notifyParent, runningChildren } from './child-runs.js';
import { lifecyclePatches } from './run-patches.js';
import type { RuntimeContext } from './runtime-context.js';

/** The run, or `NotFoundError`. */
export async function requireRun(context: RuntimeContext, runId: string): Promise<RunRecord> {
  const run = await context.store.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  return run;
}

/**
 * Cancels a run: sets `cancelRequested`, then ends at once a run nobody is executing (queued,
 * or its worker died) by claiming it — the claim is the lock that keeps a worker from starting
 * it meanwhile. A run being executed is left to its worker, which aborts at the next check (at
 * once when it runs in this process) and commits `run.cancelled` itself.
 */
export async function cancelRun(context: RuntimeContext, runId: string): Promise<RunRecord> {
  const run = await requireRun(context, runId);
  if (isRunEnded(run.status))
    throw new ConflictError(`run ${runId} already ${run.status}`, 'not_cancellable');
  // The request is recorded first, so whoever ends up holding the run — this canceller, a
  // worker that claimed it a moment ago, or one that resumes it after this process dies —
  // sees it and ends the run as cancelled.
  await context.store.updateRun(runId, { cancelRequested: true });
  if (run.status === 'waiting' && (await cancelParked(context, run))) {
    await cancelChildren(context, run);
    return requireRun(context, runId);
  }
  const claim = await context.store.claimRun(`cancel:${runId}`, context.leaseTtlMs, { runId });
  if (claim) {
    const draft: EventDraft = { type: 'run.cancelled', data: {} };
    await context.store.append(run.sessionId, [draft], {
      runId,
      fence: { runId, token: claim.lease.token },
      ...lifecyclePatches(draft, new Date().toISOString()),
    });
    await notifyParent(context, run);
    await cancelChildren(context, run);
  } else {
    context.executions.get(runId)?.stop('cancel');
  }
  return requireRun(context, runId);
}

/**
 * Cancels the children a cancelled run left running (agents used as tools, fan-outs, and its
 * session's background children), and so theirs: a parent's cancel never leaves work running
 * below it. A child that ended meanwhile is skipped.
 */
export async function cancelChildren(
  context: RuntimeContext,
  run: Pick<RunRecord, 'id' | 'sessionId'>,
): Promise<void> {
  for (const child of await activeChildRuns(context, await runningChildren(context, run))) {
    await cancelIfActive(context, child.id);
  }
  for (const { task, run: child } of await activeBackgroundChildren(context.store, run.sessionId)) {
    // The task reads `cancelled` first, as a task cancel does. Its parent is not sent a report:
    // that would start the cancelled coordinator's session again.
    await context.store.updateTask(task.id, { status: 'cancelled', completedAt: new Date().toISOString() });
    await cancelIfActive(context, child.id);
  }
}

async function cancelIfActive(context: RuntimeContext, runId: string): Promise<void> {
  try {
    await cancelRun(context, runId);
  } catch (error) {
    // The child ended between the read and the cancel: nothing is left to stop.
    if (!(error instanceof ConflictError)) throw error;
  }
}

/** Ends a run parked for a person (no worker holds it); false when it left `waiting` meanwhile. */
async function cancelParked(context: RuntimeContext, run: RunRecord): Promise<boolean> {
  const draft: EventDraft = { type: 'run.cancelled', data: { reason: 'cancelled while waiting' } };
  try {
    await context.store.append(run.sessionId, [draft], {
      runId: run.id,
      requireRunStatus: ['waiting'],
      ...lifecyclePatches(draft, new Date().toISOString()),
    });
    await notifyParent(context, run);
    return true;
  } catch (error) {
    if (error instanceof AppendConflictError) return false;
    throw error;
  }
}

/**
 * Queues a `failed` run again under the same id with attempt + 1, recorded as `run.retried`
 * (so the log still says what the run's status is); any other status is a conflict.
 */
export async function retryRun(context: RuntimeContext, runId: string): Promise<RunRecord> {
  const run = await requireRun(context, runId);
  if (run.status !== 'failed') {
    throw new ConflictError(
      `only a failed run can be retried; run ${runId} is ${run.status}`,
      'not_retryable',
    );
  }
  const draft: EventDraft = { type: 'run.retried', data: { attempt: run.attempt + 1 } };
  try {
    await context.store.append(run.sessionId, [draft], {
      runId,
      requireRunStatus: ['failed'],
      ...lifecyclePatches(draft, new Date().toISOString()),
    });
  } catch (error) {
    if (error instanceof AppendConflictError)
      throw new ConflictError(`run ${runId} was retried already`, 'not_retryable');
    throw error;
  }
  return requireRun(context, runId);
}
