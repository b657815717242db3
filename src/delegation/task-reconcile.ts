import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { TaskRecord } from '../store/task-store.js';
import { reportToParent } from './child-report.js';
import type { ProfileOptions } from './profiles/profile-registry.js';
import { resolveProfile } from './profiles/profile-registry.js';
import { ensureTaskRun } from './task-run.js';
import { isTerminalTask } from './task-types.js';

/**
 * Brings an unfinished task in line with its run, so that no task stays `pending` or `running`
 * behind a run that can no longer do its work: a missing run is (re)created; a run that ended
 * without the executor recording it (unknown agent, changed definition, cancelled elsewhere)
 * ends the task the same way, with the run's error.
 */
export async function reconcileTask(
  store: Store,
  task: TaskRecord,
  profiles?: ProfileOptions,
): Promise<TaskRecord> {
  if (isTerminalTask(task) || !task.runId) return task;
  const run =
    (await store.getRun(task.runId)) ??
    (await ensureTaskRun(store, task, resolveProfile(task.profile, profiles)));
  const patch = terminalPatch(run);
  if (!patch) return task;
  // The executor may have finished the task between our two reads: keep its record.
  const current = await store.getTask(task.id);
  if (!current || isTerminalTask(current)) return current ?? task;
  const ended = await store.updateTask(task.id, {
    ...patch,
    completedAt: run.finishedAt ?? new Date().toISOString(),
  });
  await reportToParent(store, task.id);
  return ended;
}

function terminalPatch(run: RunRecord): Pick<TaskRecord, 'status' | 'error'> | undefined {
  switch (run.status) {
    case 'cancelled':
      return { status: 'cancelled', error: null };
    case 'failed':
      return {
        status: 'failed',
        error: { kind: run.error?.code ?? 'failed', message: run.error?.message ?? 'the task run failed' },
      };
    case 'succeeded':
      return {
        status: 'failed',
        error: { kind: 'result_lost', message: 'the task run finished without recording a result' },
      };
    default:
      return undefined;
  }
}
