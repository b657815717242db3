import { setTimeout as sleep } from 'node:timers/promises';
import { isBatonError } from '../core/errors.js';
import { isClaimable, isRunEnded } from '../store/records.js';
import type { RunRecord } from '../store/run-store.js';
import { activeBackgroundChildren } from './background-children.js';
import { runningChildren } from './child-runs.js';
import { requireRun } from './run-control.js';
import { latestWait, waitsOnChildrenOnly } from './run-wait.js';
import type { RuntimeContext } from './runtime-context.js';
import type { RunView } from './types.js';
import { runViewIn } from './views.js';

/** How often a tree whose root waits on children another worker runs is looked at again. */
const ELSEWHERE_POLL_MS = 200;

/** The newest run of a session (a child session has one). */
async function latestRun(context: RuntimeContext, sessionId: string): Promise<RunRecord | undefined> {
  return (await context.store.listRuns({ sessionId, limit: 1 })).items[0];
}

/**
 * The runs of the tree under `root`: itself, its running children (agents used as tools), its
 * session's background children (tasks), and theirs.
 */
async function treeRuns(context: RuntimeContext, root: RunRecord): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const pending = [root];
  for (let run = pending.pop(); run !== undefined; run = pending.pop()) {
    runs.push(run);
    if (isRunEnded(run.status) && run.status !== 'cancelled') continue;
    for (const childSessionId of await runningChildren(context, run)) {
      const child = await latestRun(context, childSessionId);
      if (child !== undefined) pending.push(child);
    }
    for (const child of await activeBackgroundChildren(context.store, run.sessionId)) pending.push(child.run);
  }
  return runs;
}

/**
 * Whether the root, with nothing of its tree runnable here, is only waiting for runs another
 * worker executes: it waits on its children alone, some run of the tree is running elsewhere,
 * and no run of the tree waits for a person. Then the tree is looked at again, not left.
 */
async function waitsOnWorkElsewhere(context: RuntimeContext, runs: readonly RunRecord[]): Promise<boolean> {
  const [root, ...below] = runs;
  if (root === undefined || !waitsOnChildrenOnly(await latestWait(context.store, root))) return false;
  for (const run of below) {
    if (run.status === 'waiting' && !waitsOnChildrenOnly(await latestWait(context.store, run))) return false;
  }
  return below.some((run) => run.status === 'running');
}

/**
 * Executes a run and every run of its session tree in this process — children of agents used
 * as tools, background children, their children — each as soon as it is runnable, until the
 * root has ended or waits on something no run here can settle (a person's decision): what
 * `baton run` does. A run another worker holds is left to it; while the root waits only on
 * such runs, this waits for them too.
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
    let elsewhere = false;
    if (signal?.aborted !== true && failure === undefined) {
      const runs = await treeRuns(context, await requireRun(context, rootRunId));
      const now = Date.now();
      for (const run of runs) {
        if (inFlight.has(run.id) || !isClaimable(run, now)) continue;
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
      elsewhere = inFlight.size === 0 && (await waitsOnWorkElsewhere(context, runs));
    }
    if (elsewhere) {
      // Aborting ends the wait at once; the loop then sees the signal and returns.
      await sleep(ELSEWHERE_POLL_MS, undefined, signal ? { signal } : {}).catch(() => undefined);
      continue;
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  if (failure !== undefined) throw failure;
  return runViewIn(context.store, await requireRun(context, rootRunId));
}
