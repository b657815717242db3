import type { ModelSpec } from '../../core/agent.js';
import { ValidationError } from '../../core/errors.js';
import { agentProfile } from './agent-profile.js';
import type { CoderProfileOptions } from './coder-profile.js';
import { coderProfile } from './coder-profile.js';
import type { ResearcherProfileOptions } from './researcher-profile.js';
import { researcherProfile } from './researcher-profile.js';
import type { TaskProfile } from './task-profile.js';

/** Options of the built-in profiles. */
export interface ProfileOptions {
  researcher?: ResearcherProfileOptions;
  coder?: CoderProfileOptions;
  /**
   * The model of the built-in researcher, coder and reviewer agents, which run when no agent of
   * that name is loaded (the CLI passes `BATON_MODEL`). Without it such a task fails with `no_agent`.
   */
  model?: ModelSpec;
}

const AGENT_PREFIX = 'agent:';

/** The profile a task names: `coder`, `researcher` or `agent:<name>`; anything else is a `ValidationError`. */
export function resolveProfile(name: string, options: ProfileOptions = {}): TaskProfile {
  if (name === 'researcher') return researcherProfile(options.researcher, options.model);
  if (name === 'coder') return coderProfile(options.coder, options.model);
  if (name.startsWith(AGENT_PREFIX) && name.length > AGENT_PREFIX.length) {
    return agentProfile(name.slice(AGENT_PREFIX.length));
  }
  throw new ValidationError(
    `unknown profile ${JSON.stringify(name)}: use coder, researcher or agent:<name>`,
    'profile',
  );
}
