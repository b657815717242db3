import { completedTaskId, taskCompletedMessage } from '../core/child-tasks.js';
import { deliverToSession } from '../runtime/follow-up.js';
import { messageDraft } from '../runtime/sessions.js';
import type { Store } from '../store/store.js';
import type { TaskRecord } from '../store/task-store.js';

const CHILD_NAMESPACE = /^session:(.+)$/;

/** What the parent is told of a child that ended: its answer, or how it failed or that it was cancelled. */
function summaryOf(task: TaskRecord): string {
  if (task.status === 'cancelled') return 'cancelled';
  if (task.status === 'failed')
    return `failed (${task.error?.kind ?? 'error'}): ${task.error?.message ?? ''}`;
  const text = (task.result as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : JSON.stringify(task.result);
}

/**
 * Tells the parent session of a background child that ended: a background-priority
 * `<task-completed task_id="…">summary</task-completed>`, delivered like any message (it wakes a
 * parent that idle-yields, joins the inbox of one that runs, or starts its next run). Once per
 * child: a report already in the parent's log is not sent again, so the paths that may report
 * (the child's run, a cancel, a resumed child run after a crash) never double it.
 */
export async function reportToParent(store: Store, taskId: string): Promise<void> {
  const task = await store.getTask(taskId);
  const parentSessionId = task && CHILD_NAMESPACE.exec(task.namespace)?.[1];
  if (!task || parentSessionId === undefined) return;
  const session = await store.getSession(parentSessionId);
  if (!session) return;
  const messages = await store.readEvents(parentSessionId, { types: ['message.received'] });
  const reported = messages.some(
    (event) =>
      event.type === 'message.received' &&
      event.data.priority === 'background' &&
      completedTaskId(event.data.text) === task.id,
  );
  if (reported) return;
  const text = taskCompletedMessage(task.id, summaryOf(task));
  await deliverToSession({ store }, session, messageDraft(text, 'background'), undefined);
}
