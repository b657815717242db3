import type { Agent } from '../../core/agent.js';
import type { Environment } from '../../core/environment.js';
import type { Usage } from '../../core/events.js';
import type { Journal } from '../../loop/journal.js';
import type { Waiting } from '../../loop/run-tool-calls.js';
import type { TurnSettings } from '../../loop/types.js';
import type { WithAgentTools } from '../../runtime/agent-tools.js';
import type { Store } from '../../store/store.js';
import type { TaskRecord } from '../../store/task-store.js';

/** A task's progress as `delegation_status` shows it. */
export interface TaskProgress {
  iteration: number;
  phase: string;
}

/** What a profile's work receives. */
export interface ProfileRunContext {
  task: TaskRecord;
  /** The task's run journal: a turn run on it resumes step by step after a crash. */
  journal: Journal;
  signal: AbortSignal;
  store: Store;
  agents: ReadonlyMap<string, Agent>;
  /** Records progress on the task and as a `task.progress` event. */
  progress(progress: TaskProgress): Promise<void>;
  /** Passed through to every agent turn (retry policy, clock). */
  turnOptions: TurnSettings;
  /** Connects an agent's MCP servers for a turn. */
  withAgentTools: WithAgentTools;
  /** The environment Baton runs in: git and the sandbox policy start from it. */
  env: Environment;
  /** Waits for the approvals and questions a turn on `journal` stopped on (see `awaitTaskGates`). */
  awaitGates: (waiting: Waiting) => Promise<boolean>;
}

/** What a profile's work produces: the task result and what it cost. */
export interface ProfileOutcome {
  result: unknown;
  usage: Usage;
}

/** A kind of delegated work: `coder`, `researcher` or `agent:<name>`. */
export interface TaskProfile {
  readonly name: string;
  /** Validates and normalises the task args; throws `ValidationError` naming the bad field. */
  parseArgs(args: unknown): Record<string, unknown>;
  /** Name recorded as the task run's agent (for listings). */
  readonly agentName: string;
  /** The first message of the task's session: what was asked, in words. */
  prompt(args: Record<string, unknown>): string;
  /**
   * The agents the work runs, from the loaded ones (or built-in): their definitions make up
   * the task run's definition hash. Throws, as `run` would, when one is missing.
   */
  agents(args: Record<string, unknown>, loaded: ReadonlyMap<string, Agent>): Agent[];
  run(context: ProfileRunContext): Promise<ProfileOutcome>;
}
