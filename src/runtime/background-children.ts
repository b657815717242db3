import { childNamespace } from '../core/child-tasks.js';
import { isRunEnded } from '../store/records.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { TaskRecord } from '../store/task-store.js';

/** The most background children of one session looked at (as many as idle-yield waits on). */
const MAX_BACKGROUND_CHILDREN = 500;

/**
 * The runs of the background children (`asBackgroundTool`) of a session that have not ended,
 * with their tasks: each is a task in the namespace `session:<sessionId>` carried by a `task` run.
 */
export async function activeBackgroundChildren(
  store: Pick<Store, 'listTasks' | 'getRun'>,
  sessionId: string,
): Promise<{ task: TaskRecord; run: RunRecord }[]> {
  const page = await store.listTasks({
    namespace: childNamespace(sessionId),
    status: ['pending', 'running'],
    limit: MAX_BACKGROUND_CHILDREN,
  });
  const children: { task: TaskRecord; run: RunRecord }[] = [];
  for (const task of page.items) {
    const run = task.runId === null ? undefined : await store.getRun(task.runId);
    if (run !== undefined && !isRunEnded(run.status)) children.push({ task, run });
  }
  return children;
}
