import type { Agent } from '../core/agent.js';
import { hashCanonical } from '../core/hash.js';
import type { WithAgentTools } from '../delegation/agent-turn.js';
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
}

/**
 * Executes runs of one kind instead of the agent loop (delegated tasks, governed `exec`). It
 * returns a turn outcome, which the runtime commits as `run.completed` / `run.failed` /
 * `run.cancelled` exactly as for agent runs, so leases, fencing and resume work the same.
 */
export type RunExecutor = (context: RunExecutorContext) => Promise<TurnOutcome>;

/**
 * The executors every runtime has: `task` runs carry delegated work (src/delegation); `exec`
 * runs are governed sandboxed commands (src/workspace/governed) and `workspace` runs agents on a
 * sandboxed workspace copy (`baton run --workspace`), so any worker can resume them.
 */
export function defaultExecutors(): Record<string, RunExecutor> {
  return { task: createTaskExecutor(), exec: createExecExecutor(), workspace: createWorkspaceExecutor() };
}

/** The `definitionHash` recorded for an executor run: its kind and agent name, nothing replayable. */
export function executorDefinitionHash(run: RunRecord): string {
  return hashCanonical({ kind: run.kind, agent: run.agent });
}
