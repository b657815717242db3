import { AgentUnavailableError } from '../../governed/handoff/errors.js';
import { agents, type HandoffAgent } from '../../handoff/agents.js';

/** The agents `--agent` names, besides a Baton agent by name (not in this build). */
const NAMED_AGENTS: Readonly<Record<string, () => HandoffAgent>> = {
  mock: agents.mock,
  'claude-code': agents.claudeCode,
  codex: agents.codex,
  opencode: agents.opencode,
};

/**
 * The agent `--agent` names: `mock` (the default) or a vendor coding agent, whose CLI must be
 * installed where it runs — on the runner, which fails the run with `agent_unavailable` when it
 * is not — not on this machine. Any other name is `agent_unavailable` here.
 */
export function handoffAgent(name: string): HandoffAgent {
  const make = NAMED_AGENTS[name];
  if (make === undefined) {
    throw new AgentUnavailableError(
      `agent ${JSON.stringify(name)} is not available: use mock, claude-code, codex or opencode`,
    );
  }
  return make();
}
