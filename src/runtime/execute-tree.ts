import { isBatonError } from '../core/errors.js';
import { isClaimable, isRunEnded } from '../store/records.js';
import type { RunRecord } from '../store/run-store.js';
import { runningChildren } from './child-runs.js';
import { requireRun } from './run-control.js';
import type { RuntimeContext } from './runtime-context.js';
import type { RunView } from './types.js';
import { runView } from './views.js';

/** The newest run of a session (a child session has one). */
async function latestRun(context: RuntimeContext, sessionId: string): Promise<RunRecord | undefined> {
  return (await context.store.listRuns({ sessionId, limit: 1 })).items[0];
}

/** The runs of the tree under `root` (itself, its running children, theirs) nobody executes now. */
async function runnableRuns(context: RuntimeContext, root: RunRecord): Promise<RunRecord[]> {
  const runnable: RunRecord[] = [];
  const now = Date.now();
  const pending = [root];
  for (let run = pending.pop(); run !== undefined; run = pending.pop()) {
    if (isClaimable(run, now)) runnable.push(run);
    if (isRunEnded(run.status) && run.status !== 'cancelled') continue;
    for (const childSessionId of await runningChildren(context, run)) {
      const child = await latestRun(context, childSessionId);
      if (child !== undefined) pending.push(child);
    }
  }
  return runnable;
}

/**
 * Executes a run and every run of its session tree in this process — children of agents used
 * as tools, their children — each as soon as it is runnable, until the root has ended or waits
 * on something no run here can settle (a person's decision): what `baton run` does. A run
 * another worker holds is left to it.
 */
export async function executeTree(
  context: RuntimeContext,
  execute: (runId: string) => Promise<RunView>,
  rootRunId: string,
  signal?: AbortSignal,
): Promise<RunView> {
  const inFlight = new Map<string, Promise<void>>();
  let failure: unknown;
  for (;;) {
    if (signal?.aborted !== true && failure === undefined) {
      const root = await requireRun(context, rootRunId);
      for (const run of await runnableRuns(context, root)) {
        if (inFlight.has(run.id)) continue;
        const done = execute(run.id).then(
          () => undefined,
          (error: unknown) => {
            // Another worker took the run first: it is that worker's to finish.
            if (!(isBatonError(error) && error.code === 'run_busy')) failure ??= error;
          },
        );
        inFlight.set(
          run.id,
          done.finally(() => inFlight.delete(run.id)),
        );
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  if (failure !== undefined) throw failure;
  return runView(await requireRun(context, rootRunId));
}
