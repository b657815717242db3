import { AGENT_NAME } from '../core/agent.js';
import { batonAgentNameSchema } from '../governed/baton-agent/agent-input.js';
import type { ExecutionSpec } from '../governed/handoff/envelope.js';
import { AgentUnavailableError } from '../governed/handoff/errors.js';
import { claudeCode, codex, opencode } from '../governed/vendor/vendor-agent.js';

/** What runs a hand-off on the pool: a name (recorded in the contract) and what it executes for a task. */
export interface HandoffAgent {
  name: string;
  execution(task: string): ExecutionSpec;
}

/** The file the mock agent writes, at the root of the checkout. */
export const MOCK_AGENT_FILE = 'HANDOFF.md';

/**
 * The agents a hand-off can run. Vendor agents run their CLI headless inside the runner's
 * sandbox (docs/vendor-agents.md); a runner without the CLI fails the run with
 * `agent_unavailable`, as does a runner without the Baton agent `agents.baton(name)` names. Their credentials travel as released secrets (`--secret ANTHROPIC_API_KEY`).
 */
export const agents = {
  /**
   * The safe default: writes the task into `HANDOFF.md` (a change anyone can see in the patch)
   * and spends nothing. The task reaches the shell as an argument, never as shell text.
   */
  mock: (): HandoffAgent => ({
    name: 'mock',
    execution: (task) => ({
      kind: 'exec',
      command: ['sh', '-c', `printf '%s\\n' "$1" > ${MOCK_AGENT_FILE}`, 'baton-mock-agent', task],
    }),
  }),
  /**
   * A Baton agent by name (`defineAgent({ name })`): the plane serves it (`baton serve --agents`)
   * and its runner loads it, or the runner was given it (`baton worker --agents`). It works on
   * the restored checkout with the workspace tools, `run_command` sandboxed; its model messages
   * and tool calls are the run's log and its change the run's patch. A runner that has no agent
   * of that name fails the run with `agent_unavailable`.
   */
  baton: (agentName: string): HandoffAgent => {
    const name = batonAgentNameSchema.safeParse(agentName);
    if (!name.success) {
      throw new AgentUnavailableError(
        `${JSON.stringify(agentName)} is not an agent name: it must match ${AGENT_NAME}`,
      );
    }
    return { name: name.data, execution: () => ({ kind: 'agent', name: name.data }) };
  },
  /** Claude Code (`claude -p --output-format stream-json`). */
  claudeCode: (options: { model?: string; allowedTools?: string[] } = {}): HandoffAgent =>
    vendorAgent('claude-code', claudeCode(options)),
  /** Codex (`codex exec --json`). */
  codex: (options: { model?: string } = {}): HandoffAgent => vendorAgent('codex', codex(options)),
  /** OpenCode (`opencode run --format json`). */
  opencode: (options: { model?: string } = {}): HandoffAgent => vendorAgent('opencode', opencode(options)),
} as const;

function vendorAgent(name: string, agent: ReturnType<typeof claudeCode>): HandoffAgent {
  return { name, execution: () => ({ kind: 'vendor', agent }) };
}
