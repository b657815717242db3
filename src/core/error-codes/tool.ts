import type { ErrorCodeEntry } from './error-code-entry.js';

/** Tool calls: what the model sees as a tool's error result. */
export const TOOL_ERROR_CODES = {
  unknown_tool: {
    domain: 'tool',
    status: null,
    description: 'the model called a tool the agent does not have',
  },
  invalid_input: {
    domain: 'tool',
    status: null,
    description: "the tool call's input does not match its schema",
  },
  tool_error: {
    domain: 'tool',
    status: null,
    description: 'the tool threw, or returned something that is not JSON',
  },
  invalid_context: {
    domain: 'tool',
    status: 400,
    description:
      "a context value does not match its key's schema (or the key is malformed); the tool's context writes were not committed",
  },
  denied: {
    domain: 'tool',
    status: null,
    description: 'a person or the approval policy denied the tool call; the message is their reason',
  },
  approval_expired: {
    domain: 'tool',
    status: 409,
    description:
      "the tool call's approval passed its expiresAt undecided; the call failed and a late decision is refused",
  },
  unknown_skill: {
    domain: 'tool',
    status: null,
    description: 'activate_skill or read_skill_file named a skill the agent does not have',
  },
  skill_file_not_found: {
    domain: 'tool',
    status: null,
    description: "read_skill_file named a file the skill's folder does not hold",
  },
  interrupted: {
    domain: 'tool',
    status: null,
    description: 'the run ended while this non-idempotent tool ran; it is not run again on resume',
  },
  unknown_target: {
    domain: 'tool',
    status: 404,
    description:
      'send_message: the taskId names no running background child of this session; nothing was written',
  },
  child_failed: {
    domain: 'tool',
    status: null,
    description:
      'the child run of an agent used as a tool failed or was cancelled; subagent.completed has its status',
  },
  blocked: {
    domain: 'tool',
    status: null,
    description: 'a tool guardrail refused the call before it ran; guardrail.tripped names it',
  },
  edit_no_match: {
    domain: 'tool',
    status: 400,
    description: 'edit_file: old_string does not occur in the file',
  },
  edit_ambiguous: {
    domain: 'tool',
    status: 400,
    description: 'edit_file: old_string occurs more than once; give more context',
  },
  mcp_tool_error: {
    domain: 'tool',
    status: 500,
    description: 'an MCP server answered the tool call with an error',
  },
  grep_timeout: {
    domain: 'tool',
    status: 500,
    description: 'a workspace grep did not finish in time; narrow it',
  },
  worker_failed: {
    domain: 'tool',
    status: 500,
    description: 'the worker thread running a tool died without an answer',
  },
  tsx_missing: {
    domain: 'tool',
    status: 500,
    description: 'tsx cannot load the TypeScript worker modules of the workspace tools',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
