import { sha256Hex } from '../core/hash.js';
import { newSecret } from '../core/ids.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { TaskRecord } from '../store/task-store.js';
import { inCurrentTrace } from '../telemetry/trace-context.js';
import type { TaskProfile } from './profiles/task-profile.js';

/** The kind of the durable run that carries a task's work. */
export const TASK_RUN_KIND = 'task';

/** The session of a task's run: derived from the run id, so that a repeated submit finds the same session. */
export function taskSessionId(runId: string): string {
  return `ses_${runId.slice('run_'.length)}`;
}

/**
 * Makes sure a task's run exists: its session (`session.started` + the prompt as
 * `message.received`) and a queued run of kind `task`. Idempotent, so a submit interrupted
 * between the task row and its run is completed by the next read instead of staying pending.
 */
export async function ensureTaskRun(
  store: Store,
  task: TaskRecord,
  profile: TaskProfile,
): Promise<RunRecord> {
  const runId = task.runId as string;
  const existing = await store.getRun(runId);
  if (existing) return existing;
  const sessionId = taskSessionId(runId);
  if (!(await store.getSession(sessionId))) {
    await store.createSession({
      id: sessionId,
      agent: profile.agentName,
      context: { taskId: task.id },
      // Task sessions take no follow-ups: the token is thrown away and only an unguessable hash kept.
      auth: { initiator: { kind: 'task', subject: task.id } },
      tokenHash: sha256Hex(newSecret()),
    });
  }
  if (!(await store.head(sessionId))) {
    await store.append(
      sessionId,
      [
        { type: 'session.started', data: { agent: profile.agentName, context: { taskId: task.id } } },
        { type: 'message.received', data: { role: 'user', text: profile.prompt(task.args) } },
      ],
      { runId },
    );
  }
  const { run } = await store.createRun(
    inCurrentTrace({
      id: runId,
      sessionId,
      agent: profile.agentName,
      kind: TASK_RUN_KIND,
      input: { taskId: task.id, profile: task.profile },
      idempotencyKey: null,
    }),
  );
  return run;
}
