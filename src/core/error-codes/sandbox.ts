import type { ErrorCodeEntry } from './error-code-entry.js';

/** Sandboxes. */
export const SANDBOX_ERROR_CODES = {
  sandbox_unavailable: {
    domain: 'sandbox',
    status: 500,
    description:
      'bubblewrap is missing or cannot create a sandbox here (install it, or opt out with --no-sandbox)',
  },
  command_not_found: { domain: 'sandbox', status: 500, description: 'the command to run does not exist' },
  scratch_dir_unsafe: {
    domain: 'sandbox',
    status: 500,
    description: "the private scratch directory is not this user's alone; remove it and run again",
  },
  command_failed: {
    domain: 'sandbox',
    status: null,
    description: 'the command of an exec run exited non-zero',
  },
  command_timed_out: {
    domain: 'sandbox',
    status: null,
    description: 'the command of an exec run was killed at its timeout',
  },
  agent_failed: {
    domain: 'sandbox',
    status: null,
    description: 'a vendor coding agent reported an error or exited without a result',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
