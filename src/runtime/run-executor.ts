import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import type { WithAgentTools } from '../delegation/agent-turn.js';
import type { ProfileOptions } from '../delegation/profiles/profile-registry.js';
import { createTaskExecutor } from '../delegation/task-executor.js';
import type { Journal } from '../loop/journal.js';
import type { TurnOutcome, TurnSettings } from '../loop/types.js';
import type { RunRecord, Store } from '../store/store.js';
import { createExecExecutor } from '../workspace/governed/exec-executor.js';
import { createWorkspaceExecutor } from './workspace-executor.js';

/** What an executor receives: the claimed run, its fenced journal and the runtime's parts. */
export interface RunExecutorContext {
  run: RunRecord;
  /** Commits under the run's lease; `run.started` is already committed, the outcome is committed by the runtime. */
  journal: Journal;
  /** Aborted on cancel, shutdown or a lost lease. */
  signal: AbortSignal;
  store: Store;
  agents: ReadonlyMap<string, Agent>;
  turnOptions: TurnSettings;
  /** Runs work with an agent's MCP tools connected, as agent runs get them. */
  withAgentTools: WithAgentTools;
  /** The runtime's `env`: what git, sandboxes and models see of the host. */
  env: Environment;
}

/** What an executor's `definitionHash` may read: the run and where its agents come from. */
export type DefinitionContext = Pick<RunExecutorContext, 'run' | 'store' | 'agents'>;

/**
 * Executes runs of one kind instead of the agent loop (delegated tasks, governed `exec`). It
 * returns a turn outcome, which the runtime commits as `run.completed` / `run.failed` /
 * `run.cancelled` exactly as for agent runs, so leases, fencing and resume work the same.
 */
export interface RunExecutor {
  (context: RunExecutorContext): Promise<TurnOutcome>;
  /**
   * The hash of what a resumed attempt must find unchanged, e.g. the definition of the agent
   * the run works with: a different hash fails the run with `definition_changed` before the
   * executor runs. Without it (or when it answers undefined), `executorDefinitionHash`
   * (kind and agent name).
   */
  definitionHash?: (context: DefinitionContext) => Promise<string | undefined>;
}

/**
 * The executors every runtime has: `task` runs carry delegated work (src/delegation); `exec`
 * runs are governed sandboxed commands (src/workspace/governed) and `workspace` runs agents on a
 * sandboxed workspace copy (`baton run --workspace`), so any worker can resume them.
 */
export function defaultExecutors(profiles: ProfileOptions = {}): Record<string, RunExecutor> {
  return {
    task: createTaskExecutor(profiles),
    exec: createExecExecutor(),
    workspace: createWorkspaceExecutor(),
  };
}
