import type { ErrorCodeEntry } from './error-code-entry.js';

/** Runs: how one ends, and what the runtime refuses to do with one. */
export const RUN_ERROR_CODES = {
  max_steps: { domain: 'run', status: null, description: "the run reached its agent's limits.maxSteps" },
  max_tokens: { domain: 'run', status: null, description: "the run reached its agent's limits.maxTokens" },
  max_cost: { domain: 'run', status: null, description: "the run reached its agent's limits.maxCostUsd" },
  timeout: {
    domain: 'run',
    status: null,
    description: "the run's active time over all its attempts reached its agent's limits.timeoutMs",
  },
  max_handoffs: {
    domain: 'run',
    status: null,
    description: "the run tried to hand off more often than its agent's limits.maxHandoffs",
  },
  max_iterations: {
    domain: 'run',
    status: null,
    description:
      "the run waited for its background children more often than its agent's limits.maxIterations (default 64)",
  },
  children_unavailable: {
    domain: 'run',
    status: 400,
    description:
      'an agent used as a tool (or a background-child tool) ran outside a durable runtime, which alone can start and track child runs: use createRuntime',
  },
  guardrail_tripped: {
    domain: 'run',
    status: null,
    description: 'an input or output guardrail blocked the run; guardrail.tripped names it and says why',
  },
  admission_rejected: {
    domain: 'run',
    status: null,
    description: 'an admission invariant rejected the agent graph; the message names the invariant',
  },
  definition_changed: {
    domain: 'run',
    status: null,
    description:
      'a resumed run found its agent changed since it started; its transcript is not replayed into another agent',
  },
  cancelled: { domain: 'run', status: 500, description: 'the run was cancelled' },
  lease_lost: {
    domain: 'run',
    status: 500,
    description: "another worker took the run's lease over; this worker stopped committing",
  },
  run_busy: { domain: 'run', status: 409, description: 'the run is being executed by another worker' },
  stale_approval: {
    domain: 'run',
    status: 409,
    description:
      "the decision names an inputHash other than the approval's: the call it was shown is not this one",
  },
  already_decided: {
    domain: 'run',
    status: 409,
    description: 'the approval already has a decision (or the question an answer); the first one stands',
  },
  human_required: {
    domain: 'run',
    status: 403,
    description:
      "the tool's needsApproval is 'human': only a person may decide (HTTP, CLI, client), not a policy or an MCP tool call",
  },
  forbidden: {
    domain: 'run',
    status: 403,
    description:
      "under bearer or basic auth, only the session's initiator or the admin token (BATON_ADMIN_TOKEN) may decide its approvals or answer its questions",
  },
  answer_rejected: {
    domain: 'run',
    status: 400,
    description: "the answer does not match the question's choices or schema; the question stays open",
  },
  not_cancellable: { domain: 'run', status: 409, description: 'the run has already ended' },
  not_retryable: {
    domain: 'run',
    status: 409,
    description: 'only a failed run may be retried, and only once per failure',
  },
  stream_lagging: {
    domain: 'run',
    status: 500,
    description: 'a stream reader fell too far behind; reconnect with the from it was given',
  },
  unknown_agent: {
    domain: 'run',
    status: 400,
    description: 'no agent of that name is registered or reachable',
  },
  duplicate_agent: { domain: 'run', status: 400, description: 'two agents have the same name' },
  agent_not_found: { domain: 'run', status: 400, description: 'the agent file does not exist' },
  invalid_agent: {
    domain: 'run',
    status: 400,
    description: 'an agent definition or agent module is unusable',
  },
  invalid_tool: { domain: 'run', status: 400, description: 'a tool definition is unusable' },
  invalid_channel: {
    domain: 'run',
    status: 400,
    description:
      'a channel file (channels/<name>.ts) or defineChannel options are unusable, or its secret is not set',
  },
  invalid_schedule: {
    domain: 'run',
    status: 400,
    description: 'a schedule file (agents/<name>/schedules/<id>.ts) or defineSchedule options are unusable',
  },
  invalid_skill: {
    domain: 'run',
    status: 400,
    description:
      'a SKILL.md whose front matter is missing or malformed; the message names the file and field',
  },

  invalid_concurrency: {
    domain: 'run',
    status: 400,
    description: 'a worker concurrency that is not a positive integer',
  },
  pricing_unknown: {
    domain: 'run',
    status: 400,
    description:
      'the agent has a cost limit but its model has no known price (give pricing, or list it in BATON_PRICES)',
  },
  mcp_unavailable: {
    domain: 'run',
    status: 400,
    description: 'the agent has mcpServers but the runtime has no tool connector',
  },
  mcp_server_failed: {
    domain: 'run',
    status: 500,
    description: "one of the agent's MCP servers did not start",
  },
} as const satisfies Record<string, ErrorCodeEntry>;
