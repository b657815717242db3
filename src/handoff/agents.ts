import type { ExecutionSpec } from '../governed/handoff/envelope.js';
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
 * `agent_unavailable`. Their credentials travel as released secrets (`--secret ANTHROPIC_API_KEY`).
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
