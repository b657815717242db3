/**
 * Which runs a worker can execute, so that it claims only those (a run nobody serves stays
 * `queued` instead of failing). A run matches when it is of the filter's pool and any other
 * criterion matches; an absent filter matches every run.
 */
export interface ClaimFilter {
  /**
   * The runner pool whose runs match; absent: only runs of no pool. It narrows the match, so a
   * filter without it (the plane's own workers) never matches a pool run.
   */
  pool?: string;
  /** Runs of these kinds, whatever their agent (kinds whose executor brings its own agent). */
  kinds?: readonly string[];
  /** Runs of these agents, whatever module they recorded. */
  agents?: readonly string[];
  /** Runs that recorded this module together with one of the agents it defines or reaches. */
  agentModules?: readonly AgentModuleEntry[];
  /**
   * When given, `agents` and `agentModules` match only runs of these kinds (the kinds whose runs
   * execute the agent they name), so a worker never claims a kind it does not have.
   */
  agentKinds?: readonly string[];
  /**
   * Runs of a kind whose executor brings its own agents, limited to the agents it can run here
   * (a task of profile `agent:<name>` needs that agent loaded): runs naming another agent are
   * left for a worker that has it.
   */
  kindAgents?: readonly KindAgentsEntry[];
}

/** A kind claimed by the kind itself, and the run agents (`run.agent`) this worker can execute it for. */
export interface KindAgentsEntry {
  kind: string;
  agents: readonly string[];
}

/** An agent module a worker loaded, and the agent names it serves through it. */
export interface AgentModuleEntry {
  module: string;
  agents: readonly string[];
}

/** True when `filter` lets a worker claim `run`: the one definition the SQL stores mirror. */
export function matchesClaimFilter(
  run: { kind: string; agent: string; agentModule: string | null; pool: string | null },
  filter: ClaimFilter | undefined,
): boolean {
  if (filter === undefined) return true;
  if (run.pool !== (filter.pool ?? null)) return false;
  if (filter.kinds?.includes(run.kind)) return true;
  if (filter.kindAgents?.some((entry) => entry.kind === run.kind && entry.agents.includes(run.agent)))
    return true;
  if (filter.agentKinds !== undefined && !filter.agentKinds.includes(run.kind)) return false;
  if (filter.agents?.includes(run.agent)) return true;
  return (filter.agentModules ?? []).some(
    (entry) => entry.module === run.agentModule && entry.agents.includes(run.agent),
  );
}

/**
 * The filter as `[agent, module]` pairs (module null = any), the kinds they are limited to
 * (null = any) and `[kind, agent]` pairs, the shape the SQL stores match against.
 */
export function claimPairs(filter: ClaimFilter): {
  pool: string | null;
  kinds: string[];
  pairs: [string, string | null][];
  agentKinds: string[] | null;
  kindAgentPairs: [string, string][];
} {
  const pairs: [string, string | null][] = (filter.agents ?? []).map((agent) => [agent, null]);
  for (const entry of filter.agentModules ?? []) {
    for (const agent of entry.agents) pairs.push([agent, entry.module]);
  }
  return {
    pool: filter.pool ?? null,
    kinds: [...(filter.kinds ?? [])],
    pairs,
    agentKinds: filter.agentKinds === undefined ? null : [...filter.agentKinds],
    kindAgentPairs: (filter.kindAgents ?? []).flatMap((entry) =>
      entry.agents.map((agent): [string, string] => [entry.kind, agent]),
    ),
  };
}
