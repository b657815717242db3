import type { Agent } from '../core/agent.js';
import { agentDefinitionHash } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { CancelledError, type ErrorBody, LeaseLostError, toErrorBody } from '../core/errors.js';
import { hashCanonical } from '../core/hash.js';
import type { Journal } from '../loop/journal.js';
import type { TurnOutcome, TurnSettings } from '../loop/types.js';
import { emptyUsage } from '../loop/usage.js';
import type { RunRecord, Store, TaskRecord } from '../store/store.js';
import type { WithAgentTools } from './agent-turn.js';
import { AgentTurnError } from './agent-turn.js';
import { PatchRejectedError } from './profiles/patch-rejected-error.js';
import type { ProfileOptions } from './profiles/profile-registry.js';
import { resolveProfile } from './profiles/profile-registry.js';
import type { TaskProgress } from './profiles/task-profile.js';
import { DEFAULT_TASK_RETENTION, isTerminalTask } from './task-types.js';

/** What the runtime hands an executor of `task` runs. */
export interface TaskExecutionContext {
  run: RunRecord;
  journal: Journal;
  signal: AbortSignal;
  store: Store;
  agents: ReadonlyMap<string, Agent>;
  turnOptions?: TurnSettings;
  /** Connects agents' MCP servers around every turn the profile runs. */
  withAgentTools: WithAgentTools;
  /** The environment Baton runs in (the runtime's `env`). */
  env: Environment;
}

/** Options of {@link createTaskExecutor}. */
export interface TaskExecutorOptions extends ProfileOptions {
  /** Terminal tasks kept; older ones are evicted (default {@link DEFAULT_TASK_RETENTION}). */
  retention?: number;
}

/**
 * The executor of `task` runs: runs the task's profile, then records the outcome on the task
 * before the runtime records it on the run, so a finished run always has a finished task.
 * A stop for shutdown or a lost lease leaves the task `running`: the run resumes elsewhere.
 * The run's definition hash covers the agents the profile runs: a resumed task whose agent
 * changed fails with `definition_changed`.
 */
export function createTaskExecutor(options: TaskExecutorOptions = {}) {
  const retention = options.retention ?? DEFAULT_TASK_RETENTION;
  const definitionHash = async (
    context: Pick<TaskExecutionContext, 'run' | 'store' | 'agents'>,
  ): Promise<string | undefined> => {
    const task = await context.store.findTaskByRunId(context.run.id);
    // A task that is missing or over is reported by the executor itself; the runtime's default hash will do.
    if (!task || isTerminalTask(task)) return undefined;
    const agents = resolveProfile(task.profile, options).agents(task.args, context.agents);
    return hashCanonical({ profile: task.profile, agents: agents.map(agentDefinitionHash) });
  };
  return Object.assign(executeTask, { definitionHash });

  async function executeTask(context: TaskExecutionContext): Promise<TurnOutcome> {
    const { store, run } = context;
    const task = await store.findTaskByRunId(run.id);
    if (!task) return failed({ code: 'task_missing', message: `run ${run.id} carries no task` });
    if (task.status === 'cancelled') return { status: 'cancelled', usage: emptyUsage(), steps: 0 };
    if (isTerminalTask(task))
      return failed({ code: 'task_finished', message: `task ${task.id} already ${task.status}` });
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
        turnOptions: context.turnOptions ?? {},
        withAgentTools: context.withAgentTools,
        env: context.env,
      });
      const costUsd = outcome.usage.costUsd ?? 0;
      if (!(await finish(store, task, { status: 'completed', result: outcome.result, costUsd }, retention))) {
        return { status: 'cancelled', usage: outcome.usage, steps: 0 };
      }
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
      await finish(
        store,
        task,
        { status: 'failed', error: taskError, result, costUsd: usage.costUsd ?? 0 },
        retention,
      );
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
