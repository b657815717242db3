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
}

const AGENT_PREFIX = 'agent:';

/** The profile a task names: `coder`, `researcher` or `agent:<name>`; anything else is a `ValidationError`. */
export function resolveProfile(name: string, options: ProfileOptions = {}): TaskProfile {
  if (name === 'researcher') return researcherProfile(options.researcher);
  if (name === 'coder') return coderProfile(options.coder);
  if (name.startsWith(AGENT_PREFIX) && name.length > AGENT_PREFIX.length) {
    return agentProfile(name.slice(AGENT_PREFIX.length));
  }
  throw new ValidationError(
    `unknown profile ${JSON.stringify(name)}: use coder, researcher or agent:<name>`,
    'profile',
  );
}
