import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Environment } from '../../core/environment.js';
import { AgentUnavailableError } from '../../governed/handoff/errors.js';
import { agents, type HandoffAgent } from '../../handoff/agents.js';

/** The executable each vendor agent's CLI is installed as. */
const VENDOR_CLIS: Readonly<Record<string, string>> = {
  'claude-code': 'claude',
  codex: 'codex',
  opencode: 'opencode',
};

/**
 * The agent `--agent` names: `mock` (the default). Vendor agents and Baton agents by name are
 * not in this build: naming one is `agent_unavailable`, saying first whether its CLI is missing.
 */
export async function handoffAgent(name: string, env: Environment): Promise<HandoffAgent> {
  if (name === 'mock') return agents.mock();
  const executable = VENDOR_CLIS[name];
  if (executable === undefined) {
    throw new AgentUnavailableError(`agent ${JSON.stringify(name)} is not available: use --agent mock`);
  }
  if (!(await onPath(executable, env))) {
    throw new AgentUnavailableError(
      `agent ${name} needs the ${executable} CLI, which is not installed (not on PATH)`,
    );
  }
  throw new AgentUnavailableError(`agent ${name} is not available in this build of Baton: use --agent mock`);
}

async function onPath(executable: string, env: Environment): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    // A directory without the executable (or unreadable) just is not where it lives.
    const found = await access(join(dir, executable), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  return false;
}
