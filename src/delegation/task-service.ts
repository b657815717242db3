import { processEnvironment } from '../config/process-environment.js';
import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import type { FeedbackRecord, TaskRecord } from '../store/task-store.js';
import { reportToParent } from './child-report.js';
import { parseOrThrow } from './parse-args.js';
import type { ProfileOptions } from './profiles/profile-registry.js';
import { resolveProfile } from './profiles/profile-registry.js';
import { allowedRepository } from './repository-roots.js';
import { feedbackSchema, historySchema, submitSchema } from './service-schemas.js';
import { taskIdempotencyKey } from './task-key.js';
import { reconcileTask } from './task-reconcile.js';
import { ensureTaskRun } from './task-run.js';
import type { TaskService, TaskView } from './task-types.js';
import {
  DEFAULT_NAMESPACE,
  DEFAULT_TASK_RETENTION,
  HISTORY_DEFAULT_LIMIT,
  isTerminalTask,
} from './task-types.js';

/** Options of {@link createTaskService}. */
export interface TaskServiceOptions {
  store: Store;
  /** Loaded agents: `agent:<name>` must name one of them. */
  agents: ReadonlyMap<string, Agent>;
  /** Stops a run now (the runtime's `cancel`); by default the run is flagged and its worker notices within a lease renewal. */
  cancelRun?: (runId: string) => Promise<unknown>;
  /** Terminal tasks kept; older ones are evicted (default 1000). */
  retention?: number;
  profiles?: ProfileOptions;
  /**
   * Directories a task's `args.repoRoot` must lie under (by real path), for services that
   * remote callers reach (HTTP, MCP); anything else is `repo_not_allowed`. Absent: any path.
   */
  repoRoots?: readonly string[];
  /** The environment git inspects a task's repository in (default: the process environment). */
  env?: Environment;
}

function view(task: TaskRecord): TaskView {
  return { taskId: task.id, ...task };
}

/**
 * Delegation over the store: a task row plus the durable run (kind `task`) that does its work.
 * Submitting returns at once; a worker of the runtime executes the run.
 */
export function createTaskService(options: TaskServiceOptions): TaskService {
  const { store, agents } = options;
  const env = options.env ?? processEnvironment();
  const retention = options.retention ?? DEFAULT_TASK_RETENTION;
  const cancelRun =
    options.cancelRun ??
    ((runId: string) => store.updateRun(runId, { cancelRequested: true }).then(() => undefined));

  const load = async (taskId: string): Promise<TaskRecord> => {
    const task = typeof taskId === 'string' ? await store.getTask(taskId) : undefined;
    if (!task) throw new NotFoundError('task', String(taskId));
    return reconcileTask(store, task, options.profiles);
  };

  return {
    async submitTask(input) {
      const {
        profile: profileName,
        args: rawArgs,
        namespace,
        idempotencyKey,
      } = parseOrThrow(submitSchema, input, 'task');
      const profile = resolveProfile(profileName, options.profiles);
      let args = profile.parseArgs(rawArgs);
      if (options.repoRoots && typeof args.repoRoot === 'string') {
        args = {
          ...args,
          repoRoot: await allowedRepository(args.repoRoot, options.repoRoots, env),
        };
      }
      if (profileName.startsWith('agent:') && !agents.has(profile.agentName)) {
        throw new NotFoundError('agent', profile.agentName);
      }
      const resolvedNamespace = namespace ?? DEFAULT_NAMESPACE;
      const key = idempotencyKey ?? taskIdempotencyKey(profileName, args, resolvedNamespace);
      const existing = await store.findTaskByIdempotencyKey(key);
      if (existing) return { taskId: existing.id, reused: true };
      const { task, created } = await store.createTask({
        id: newId('task'),
        profile: profileName,
        args,
        namespace: resolvedNamespace,
        idempotencyKey: key,
        runId: newId('run'),
      });
      if (created) await ensureTaskRun(store, task, profile);
      return { taskId: task.id, reused: !created };
    },

    async getTask(taskId) {
      return view(await load(taskId));
    },

    async cancelTask(taskId) {
      const task = await load(taskId);
      if (isTerminalTask(task)) return view(task);
      // The task is cancelled first, so it reads `cancelled` even if the work ignores the signal.
      const cancelled = await store.updateTask(task.id, {
        status: 'cancelled',
        completedAt: new Date().toISOString(),
      });
      if (task.runId) {
        await cancelRun(task.runId).catch((error: unknown) => {
          // A run that already ended cannot be cancelled; the task is cancelled all the same.
          if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
        });
      }
      await reportToParent(store, task.id);
      await store.pruneTasks(retention);
      return view(cancelled);
    },

    async attachFeedback(taskId, feedback) {
      const parsed = parseOrThrow(feedbackSchema, feedback, 'feedback');
      const task = await load(taskId);
      const record: FeedbackRecord = {
        id: newId('fb'),
        score: parsed.score,
        ...(parsed.label !== undefined && { label: parsed.label }),
        notes: parsed.notes,
        by: parsed.by,
        at: new Date().toISOString(),
      };
      await store.updateTask(task.id, { feedback: [...task.feedback, record] });
      return record;
    },

    async history(filters = {}) {
      const parsed = parseOrThrow(historySchema, filters, 'history');
      const page = await store.listTasks({
        ...(parsed.namespace !== undefined && { namespace: parsed.namespace }),
        ...(parsed.profile !== undefined && { profile: parsed.profile }),
        ...(parsed.since !== undefined && { since: new Date(parsed.since).toISOString() }),
        limit: parsed.limit ?? HISTORY_DEFAULT_LIMIT,
      });
      return Promise.all(
        page.items.map(async (task) => view(await reconcileTask(store, task, options.profiles))),
      );
    },
  };
}
