import { childNamespace } from '../core/child-tasks.js';
import type { StreamEvent } from '../core/events.js';
import type { Store } from '../store/store.js';
import { isRecordedChild } from './recorded-child.js';

/**
 * The child session an event of `sessionId`'s log opens, if any: the session a
 * `subagent.started` names (an agent used as a tool) when it is recorded as this session's
 * child, or the task session of the background child a background tool's result names (a task
 * in this session's namespace, which only the runtime writes). Events are data a runner may
 * have written, so neither is trusted without the record that links it to this session.
 */
export async function childSessionOf(
  store: Pick<Store, 'getSession' | 'getTask' | 'getRun'>,
  event: StreamEvent,
  sessionId: string,
): Promise<string | undefined> {
  if (event.type === 'subagent.started') {
    const child = event.data.childSessionId;
    return (await isRecordedChild(store, child, sessionId)) ? child : undefined;
  }
  if (event.type !== 'tool.result' || !event.data.ok) return undefined;
  const taskId = (event.data.output as { taskId?: unknown } | null)?.taskId;
  if (typeof taskId !== 'string') return undefined;
  const task = await store.getTask(taskId);
  if (task?.namespace !== childNamespace(sessionId) || task.runId === null) return undefined;
  return (await store.getRun(task.runId))?.sessionId;
}
