import type { Agent } from '../core/agent.js';
import { childAgentOf, isAgentTool } from '../core/agent.js';
import { errorMessage } from '../core/errors.js';
import type { AgentModuleEntry, ClaimFilter, KindAgentsEntry } from '../store/claim-filter.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WorkerServes } from '../store/worker-registry.js';
import type { AgentModuleLoader } from './agent-loader.js';
import type { RunKind } from './run-kind.js';

/** How long a module that failed to load is left alone before it is tried again. */
const RETRY_UNLOADABLE_MS = 60_000;

/**
 * The agents reachable from `roots` through handoffs, agents used as tools and background tools
 * (roots included), by name; the first of a name wins.
 */
export function reachableAgents(roots: Iterable<Agent>): Map<string, Agent> {
  const reached = new Map<string, Agent>();
  const pending = [...roots];
  for (let agent = pending.shift(); agent !== undefined; agent = pending.shift()) {
    if (reached.has(agent.name)) continue;
    reached.set(agent.name, agent);
    pending.push(...agent.handoffs, ...backgroundChildren(agent));
    for (const candidate of agent.tools) if (isAgentTool(candidate)) pending.push(candidate.subagent);
  }
  return reached;
}

/** The agents `agent`'s background tools start (`asBackgroundTool`). */
function backgroundChildren(agent: Agent): Agent[] {
  return agent.tools.flatMap((candidate) => childAgentOf(candidate) ?? []);
}

/**
 * `agents` with the agents their background tools start, at any depth: a task run names its
 * agent, and finds it among the runtime's agents. Given agents win by name.
 */
export function withChildAgents(agents: Map<string, Agent>): Map<string, Agent> {
  for (const agent of reachableAgents(agents.values()).values()) {
    for (const child of backgroundChildren(agent)) if (!agents.has(child.name)) agents.set(child.name, child);
  }
  return agents;
}

/** Options of {@link ServedAgents}. */
export interface ServedAgentsOptions {
  /** The agents the runtime was given: served by name, with those reachable from them. */
  agents: ReadonlyMap<string, Agent>;
  /** Loads agents from recorded module paths; without it, no run is served by its module. */
  loadAgentModule?: AgentModuleLoader | undefined;
  /** The run kinds the runtime has. */
  kinds: Iterable<Pick<RunKind, 'name' | 'claim' | 'claimAgents'>>;
}

/**
 * What this runtime's workers can execute, as a claim filter: the agents it was given and
 * those reachable from them (by name), the agent modules runs recorded that it loaded (by
 * module and name) — for runs of the kinds that execute the agent they name — and the kinds that
 * bring their own agent. A worker claims only what this says it serves, so it never fails a
 * run for an agent or a kind it does not have.
 */
export class ServedAgents {
  readonly #byName: Map<string, Agent>;
  readonly #loader: AgentModuleLoader | undefined;
  /** Kinds claimed whatever their agent, and kinds claimed by the agent they name. */
  readonly #kinds: string[];
  readonly #agentKinds: string[];
  /** Kinds claimed by the kind itself for some agents only, with those agents. */
  readonly #kindAgents: KindAgentsEntry[];
  /** Loaded modules: path → agents served through it, by name. */
  readonly #modules = new Map<string, Map<string, Agent>>();
  /** Modules that failed to load, with why and when to try again. */
  readonly #unloadable = new Map<string, { reason: string; retryAt: number }>();

  constructor(options: ServedAgentsOptions) {
    this.#byName = reachableAgents(options.agents.values());
    this.#loader = options.loadAgentModule;
    this.#kinds = [];
    this.#agentKinds = [];
    this.#kindAgents = [];
    for (const kind of options.kinds) {
      if (kind.claim === 'agent') this.#agentKinds.push(kind.name);
      else if (kind.claimAgents) {
        const agents = [...new Set(kind.claimAgents(options.agents))].sort();
        this.#kindAgents.push({ kind: kind.name, agents });
      } else this.#kinds.push(kind.name);
    }
  }

  /** The claim filter of everything served now. */
  filter(): ClaimFilter {
    return {
      kinds: this.#kinds,
      agents: [...this.#byName.keys()],
      agentModules: this.#moduleEntries(),
      agentKinds: this.#agentKinds,
      kindAgents: this.#kindAgents,
    };
  }

  /** The agent that executes `run`, loading its recorded module when that was never tried. */
  async agentFor(run: Pick<RunRecord, 'agent' | 'agentModule'>): Promise<Agent | undefined> {
    const known = this.#find(run);
    if (known || run.agentModule === null || this.#modules.has(run.agentModule)) return known;
    await this.#load(run.agentModule);
    return this.#find(run);
  }

  /**
   * Loads the modules that queued or running runs recorded and that were never tried (or
   * failed long enough ago). True when something new became servable.
   */
  async discover(store: Store): Promise<boolean> {
    if (!this.#loader) return false;
    let found = false;
    const now = Date.now();
    for (const module of await store.listActiveAgentModules()) {
      if (this.#modules.has(module) || (this.#unloadable.get(module)?.retryAt ?? 0) > now) continue;
      if (await this.#load(module)) found = true;
    }
    return found;
  }

  /** Stops serving `run`'s module for its agent: it was claimed, but its module does not define that agent. */
  refuse(run: Pick<RunRecord, 'agent' | 'agentModule'>, reason: string): void {
    if (run.agentModule === null) return;
    this.#modules.get(run.agentModule)?.delete(run.agent);
    this.#unloadable.set(run.agentModule, { reason, retryAt: Date.now() + RETRY_UNLOADABLE_MS });
  }

  /** What a worker announces it serves. */
  serves(): WorkerServes {
    return {
      agents: [...this.#byName.keys()].sort(),
      agentModules: this.#moduleEntries(),
      loadsModules: this.#loader !== undefined,
      unloadableModules: [...this.#unloadable].map(([module, { reason }]) => ({ module, reason })),
      kinds: [...this.#kinds],
      kindAgents: this.#kindAgents.map((entry) => ({ kind: entry.kind, agents: [...entry.agents] })),
    };
  }

  #moduleEntries(): AgentModuleEntry[] {
    return [...this.#modules].map(([module, agents]) => ({ module, agents: [...agents.keys()] }));
  }

  #find(run: Pick<RunRecord, 'agent' | 'agentModule'>): Agent | undefined {
    const byName = this.#byName.get(run.agent);
    if (byName) return byName;
    return run.agentModule === null ? undefined : this.#modules.get(run.agentModule)?.get(run.agent);
  }

  async #load(module: string): Promise<boolean> {
    if (!this.#loader) return false;
    try {
      const agent = await this.#loader(module);
      this.#modules.set(module, reachableAgents([agent]));
      this.#unloadable.delete(module);
      return true;
    } catch (error) {
      this.#unloadable.set(module, {
        reason: errorMessage(error),
        retryAt: Date.now() + RETRY_UNLOADABLE_MS,
      });
      return false;
    }
  }
}
