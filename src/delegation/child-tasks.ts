import type { ChildTasks } from '../core/child-tasks.js';
import { childNamespace } from '../core/child-tasks.js';
import { newId } from '../core/ids.js';
import { messageDraft } from '../runtime/sessions.js';
import { AppendConflictError } from '../store/append-conflict.js';
import type { Store } from '../store/store.js';
import { agentProfile } from './profiles/agent-profile.js';
import { ensureTaskRun } from './task-run.js';
import { isTerminalTask } from './task-types.js';

/** The most children of one session that count (idle-yield waits on them). */
const MAX_CHILDREN = 500;

/** The idempotency key of the task a parent's tool call starts: one call, one child, ever. */
function childTaskKey(parentSessionId: string, toolCallId: string): string {
  return `child:${parentSessionId}:${toolCallId}`;
}

/**
 * Background children as durable tasks of the store (docs/multi-agent.md): each child is a
 * task `agent:<name>` in the namespace `session:<parentSessionId>`, backed by a `task` run that
 * any worker executes, resumes after a crash and runs once.
 */
export function storeChildTasks(store: Store): ChildTasks {
  return {
    async spawn({ parentSessionId, toolCallId, agent, input }) {
      const key = childTaskKey(parentSessionId, toolCallId);
      const task =
        (await store.findTaskByIdempotencyKey(key)) ??
        (
          await store.createTask({
            id: newId('task'),
            profile: `agent:${agent}`,
            args: { message: input },
            namespace: childNamespace(parentSessionId),
            idempotencyKey: key,
            runId: newId('run'),
          })
        ).task;
      // Idempotent: a spawn interrupted between the task row and its run completes it here.
      await ensureTaskRun(store, task, agentProfile(agent));
      return { taskId: task.id };
    },

    async send({ parentSessionId, to, text, priority }) {
      const task = await store.getTask(to);
      // Only this session's own children, and only while they run: never another session's.
      if (!task || task.namespace !== childNamespace(parentSessionId) || isTerminalTask(task)) return false;
      const run = task.runId === null ? undefined : await store.getRun(task.runId);
      if (!run) return false;
      try {
        await store.append(run.sessionId, [messageDraft(text, priority)], {
          runId: run.id,
          requireRunStatus: ['queued', 'running'],
        });
        return true;
      } catch (error) {
        // The child's run ended between the read and the commit: nothing was written.
        if (error instanceof AppendConflictError) return false;
        throw error;
      }
    },

    async list(parentSessionId) {
      const page = await store.listTasks({ namespace: childNamespace(parentSessionId), limit: MAX_CHILDREN });
      return page.items.map((task) => task.id);
    },
  };
}
