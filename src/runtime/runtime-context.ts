import type { Agent } from '../core/agent.js';
import type { WithAgentTools } from '../delegation/agent-turn.js';
import type { TurnSettings } from '../loop/types.js';
import type { RunRecord, Store } from '../store/store.js';
import type { LiveBus } from './live-bus.js';
import type { RunExecutor } from './run-executor.js';

/** Why an execution stops before its turn ends on its own. */
export type StopReason = 'cancel' | 'shutdown' | 'lease_lost';

/** Finds an agent the runtime was not given up front (e.g. from the module a run recorded). */
export type AgentResolver = (name: string, run: RunRecord) => Promise<Agent | undefined>;

/** A run executing in this process, so that `cancel` can reach it without waiting for a poll. */
export interface Execution {
  stop(reason: StopReason): void;
}

/** What the runtime's parts share; built once by `createRuntime`. */
export interface RuntimeContext {
  readonly store: Store;
  readonly agents: Map<string, Agent>;
  readonly resolveAgent: AgentResolver | undefined;
  readonly bus: LiveBus;
  readonly leaseTtlMs: number;
  readonly tokenSecret: Uint8Array;
  readonly executions: Map<string, Execution>;
  /** Executors by run kind; a run of another kind runs its agent through the loop. */
  readonly executors: ReadonlyMap<string, RunExecutor>;
  /** Passed through to every `runTurn` (retry policy, clock). */
  readonly turnOptions: TurnSettings;
  /** Connects an agent's MCP servers around its turn (agent runs and executors alike). */
  readonly withAgentTools: WithAgentTools;
}
