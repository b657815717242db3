import type { Agent } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import type { TurnSettings } from '../loop/types.js';
import type { Store } from '../store/store.js';
import type { Instrumentation } from '../telemetry/instrumentation.js';
import type { Logger } from '../telemetry/logger.js';
import type { AgentModuleLoader } from './agent-loader.js';
import type { WithAgentTools } from './agent-tools.js';
import type { LiveBus } from './live-bus.js';
import type { AnyRunKind } from './run-kind.js';
import type { ServedAgents } from './served-agents.js';

/** Why an execution stops before its turn ends on its own. */
export type StopReason = 'cancel' | 'shutdown' | 'lease_lost';

/** A run executing in this process, so that `cancel` can reach it without waiting for a poll. */
export interface Execution {
  stop(reason: StopReason): void;
}

/** What the runtime's parts share; built once by `createRuntime`. */
export interface RuntimeContext {
  readonly store: Store;
  readonly agents: Map<string, Agent>;
  /** Loads agents from the module paths runs recorded, when the runtime may. */
  readonly loadAgentModule: AgentModuleLoader | undefined;
  /** What this runtime's workers execute (its claim filter) and the agent of each such run. */
  readonly served: ServedAgents;
  /** Largest message `start` and `deliver` accept, in UTF-8 bytes. */
  readonly maxMessageBytes: number;
  readonly bus: LiveBus;
  readonly leaseTtlMs: number;
  readonly tokenSecret: Uint8Array;
  readonly executions: Map<string, Execution>;
  /** The run kinds this runtime executes, by name; a run of another kind is not its to execute. */
  readonly kinds: ReadonlyMap<string, AnyRunKind>;
  /** Where variables users' definitions name are looked up (model keys, the host's PATH and HOME). */
  readonly env: Environment;
  /** Where failures nothing else would hear of are reported (silent unless the caller gave one). */
  readonly logger: Logger;
  /** Spans and metrics of run attempts, model and tool calls (inert unless asked for). */
  readonly instrumentation: Instrumentation;
  /** Passed through to every `runTurn` (retry policy, clock). */
  readonly turnOptions: TurnSettings;
  /** Connects an agent's MCP servers around its turn, for every run kind. */
  readonly withAgentTools: WithAgentTools;
}
