import { agents, type HandoffAgent } from '../../handoff/agents.js';

/** The agents `--agent` names besides a Baton agent by name. */
const NAMED_AGENTS: Readonly<Record<string, () => HandoffAgent>> = {
  mock: agents.mock,
  'claude-code': agents.claudeCode,
  codex: agents.codex,
  opencode: agents.opencode,
};

/**
 * The agent `--agent` names: `mock` (the default), a vendor coding agent, whose CLI must be
 * installed where it runs, or any other name: the Baton agent of that name, which the plane
 * serves (`baton serve --agents`) or the runner was given. Either way the runner, not this
 * machine, fails the run with `agent_unavailable` when it cannot run it; a name that no agent
 * could have is `agent_unavailable` here.
 */
export function handoffAgent(name: string): HandoffAgent {
  // Own keys only: `constructor` or `toString` is a Baton agent's name, not the prototype's.
  const named = Object.hasOwn(NAMED_AGENTS, name) ? NAMED_AGENTS[name] : undefined;
  return (named ?? (() => agents.baton(name)))();
}
