/** What runs a hand-off on the pool: a name (recorded in the contract) and the command it runs for a task. */
export interface HandoffAgent {
  name: string;
  command(task: string): string[];
}

/** The file the mock agent writes, at the root of the checkout. */
export const MOCK_AGENT_FILE = 'HANDOFF.md';

/** The agents a hand-off can run. Vendor coding agents (Claude Code, Codex, OpenCode) are not in this build. */
export const agents = {
  /**
   * The safe default: writes the task into `HANDOFF.md` (a change anyone can see in the patch)
   * and spends nothing. The task reaches the shell as an argument, never as shell text.
   */
  mock: (): HandoffAgent => ({
    name: 'mock',
    command: (task) => ['sh', '-c', `printf '%s\\n' "$1" > ${MOCK_AGENT_FILE}`, 'baton-mock-agent', task],
  }),
} as const;
