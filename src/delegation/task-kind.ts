import { z } from 'zod';
import { agentDefinitionHash } from '../core/agent.js';
import { CancelledError, type ErrorBody, LeaseLostError, toErrorBody } from '../core/errors.js';
import { hashCanonical } from '../core/hash.js';
import type { TurnOutcome } from '../loop/types.js';
import { emptyUsage } from '../loop/usage.js';
import { kindDefinitionHash } from '../runtime/definition-hash.js';
import type { RunKind, RunKindContext } from '../runtime/run-kind.js';
import type { Store } from '../store/store.js';
import type { TaskRecord } from '../store/task-store.js';
import { AgentTurnError } from './agent-turn.js';
import { awaitTaskGates } from './await-gates.js';
import { reportToParent } from './child-report.js';
import { PatchRejectedError } from './profiles/patch-rejected-error.js';
import type { ProfileOptions } from './profiles/profile-registry.js';
import { resolveProfile } from './profiles/profile-registry.js';
import type { TaskProgress } from './profiles/task-profile.js';
import { TASK_RUN_KIND } from './task-run.js';
import { DEFAULT_TASK_RETENTION, isTerminalTask } from './task-types.js';

/** The input of a `task` run: the task it carries (the task record holds the rest). */
const taskRunInputSchema = z.looseObject({ taskId: z.string(), profile: z.string() });

type TaskRunInput = z.infer<typeof taskRunInputSchema>;

/** The run agents of the profiles that fall back to a built-in agent when a model is set. */
const BUILT_IN_PROFILE_AGENTS = ['researcher', 'coder'];

/** Options of {@link taskKind}. */
export interface TaskKindOptions extends ProfileOptions {
  /** Terminal tasks kept; older ones are evicted (default {@link DEFAULT_TASK_RETENTION}). */
  retention?: number;
}

/**
 * The `task` kind: runs the task's profile, then records the outcome on the task before the
 * runtime records it on the run, so a finished run always has a finished task. A stop for
 * shutdown or a lost lease leaves the task `running`: the resumed run finds it so and says
 * `resumed`. The run's definition hash covers the agents the profile runs: a resumed task
 * whose agent changed fails with `definition_changed`.
 */
export function taskKind(options: TaskKindOptions = {}): RunKind<TaskRunInput> {
  const retention = options.retention ?? DEFAULT_TASK_RETENTION;
  return {
    name: TASK_RUN_KIND,
    inputSchema: taskRunInputSchema,
    claim: 'kind',
    // A task runs the agent its profile names (`run.agent`): `agent:<name>` needs that agent
    // loaded; the researcher and coder profiles need their agent loaded or a model for the
    // built-in one. A worker without them leaves the task queued instead of failing it.
    claimAgents: (agents) => [...agents.keys(), ...(options.model ? BUILT_IN_PROFILE_AGENTS : [])],
    async definitionHash(context) {
      const task = await context.store.findTaskByRunId(context.run.id);
      // A task that is missing or over is reported by `execute` itself; the kind's own hash will do.
      if (!task || isTerminalTask(task)) return kindDefinitionHash(context.run);
      const agents = resolveProfile(task.profile, options).agents(task.args, context.agents);
      return hashCanonical({ profile: task.profile, agents: agents.map(agentDefinitionHash) });
    },
    execute: executeTask,
  };

  async function executeTask(context: RunKindContext<TaskRunInput>): Promise<TurnOutcome> {
    const { store, run } = context;
    const task = await store.findTaskByRunId(run.id);
    if (!task) return failed({ code: 'task_missing', message: `run ${run.id} carries no task` });
    if (isTerminalTask(task)) {
      // A crash may have come between the task's end and its report to a parent session.
      await reportToParent(store, task.id);
      if (task.status === 'cancelled') return { status: 'cancelled', usage: emptyUsage(), steps: 0 };
      return failed({ code: 'task_finished', message: `task ${task.id} already ${task.status}` });
    }
    const resumed = task.status === 'running';
    await store.updateTask(task.id, {
      status: 'running',
      startedAt: task.startedAt ?? new Date().toISOString(),
    });
    const progress = async (value: TaskProgress): Promise<void> => {
      await context.journal.append({ type: 'task.progress', data: value });
      await store.updateTask(task.id, { progress: value });
    };
    try {
      const profile = resolveProfile(task.profile, options);
      if (resumed) await progress({ iteration: task.progress?.iteration ?? 1, phase: 'resumed' });
      const outcome = await profile.run({
        task,
        journal: context.journal,
        signal: context.signal,
        store,
        agents: context.agents,
        progress,
        turnOptions: context.turnOptions,
        withAgentTools: context.withAgentTools,
        env: context.env,
        awaitGates: (waiting) =>
          awaitTaskGates({ store, sessionId: context.journal.sessionId, waiting, signal: context.signal }),
      });
      const costUsd = outcome.usage.costUsd ?? 0;
      if (!(await finish(store, task, { status: 'completed', result: outcome.result, costUsd }, retention))) {
        return { status: 'cancelled', usage: outcome.usage, steps: 0 };
      }
      await reportToParent(store, task.id);
      return { status: 'succeeded', text: JSON.stringify(outcome.result), usage: outcome.usage, steps: 0 };
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      const usage = error instanceof AgentTurnError ? error.usage : emptyUsage();
      // Aborted: a cancel already marked the task; a shutdown leaves it for the resumed run.
      if (context.signal.aborted || error instanceof CancelledError)
        return { status: 'cancelled', usage, steps: 0 };
      const body = toErrorBody(error);
      const taskError = { kind: body.code, message: body.message };
      // A rejected patch keeps its result: every candidate's checks say why.
      const result = error instanceof PatchRejectedError ? error.result : null;
      if (
        await finish(
          store,
          task,
          { status: 'failed', error: taskError, result, costUsd: usage.costUsd ?? 0 },
          retention,
        )
      )
        await reportToParent(store, task.id);
      return { status: 'failed', error: body, usage, steps: 0 };
    }
  }
}

function failed(error: ErrorBody): TurnOutcome {
  return { status: 'failed', error, usage: emptyUsage(), steps: 0 };
}

/** Records a terminal status unless the task was cancelled meanwhile; false when it was. */
async function finish(
  store: Store,
  task: TaskRecord,
  patch: Pick<TaskRecord, 'status' | 'costUsd'> & Partial<Pick<TaskRecord, 'result' | 'error'>>,
  retention: number,
): Promise<boolean> {
  const current = await store.getTask(task.id);
  if (!current || current.status === 'cancelled') return false;
  await store.updateTask(task.id, { ...patch, completedAt: new Date().toISOString() });
  await store.pruneTasks(retention);
  return true;
}
