import type { ErrorCodeEntry } from './error-code-entry.js';

/** Delegation. */
export const DELEGATION_ERROR_CODES = {
  no_agent: {
    domain: 'delegation',
    status: 400,
    description:
      "the task's profile has neither a loaded agent of that name nor a model for the built-in one (BATON_MODEL)",
  },
  repo_not_found: {
    domain: 'delegation',
    status: 404,
    description: "the task's repoRoot does not exist, is not a directory or is not a git repository",
  },
  repo_not_allowed: {
    domain: 'delegation',
    status: 403,
    description: "the task's repoRoot is not under a --repo-root of the server, by real path",
  },
  patch_rejected: {
    domain: 'delegation',
    status: 500,
    description: "no coding candidate's patch passed validation; the result says why for each",
  },
  invalid_answer: {
    domain: 'delegation',
    status: 500,
    description: 'the researcher did not answer with the JSON the profile asks for',
  },
  task_missing: { domain: 'delegation', status: null, description: 'a task run carries no task' },
  task_finished: { domain: 'delegation', status: null, description: "the task run's task had already ended" },
  result_lost: {
    domain: 'delegation',
    status: null,
    description: 'the task run finished without recording a result',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
