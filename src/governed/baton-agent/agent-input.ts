import { z } from 'zod';
import { AGENT_NAME } from '../../core/agent.js';
import { sandboxPolicySchema } from '../../core/sandbox-policy.js';

/** The name of a Baton agent (`defineAgent({ name })`), as a hand-off names it. */
export const batonAgentNameSchema = z.string().regex(AGENT_NAME, 'must be an agent name');

/**
 * The run input of an `agent` run (a hand-off to a Baton agent by name): fixed when the contract
 * is issued. The agent itself is found where the run executes — among the runner's own agents,
 * else in the module the plane loaded it from (`agentModule`) — so a runner that has neither
 * fails the run with `agent_unavailable`.
 */
export const batonAgentInputSchema = z.object({
  agent: batonAgentNameSchema,
  task: z.string().min(1),
  /** The module the plane served the agent from (absolute path), or null when the plane has no such agent. */
  agentModule: z.string().nullable(),
  manifestHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The run's sandbox policy (also in the contract), taken by every `run_command`. */
  policy: sandboxPolicySchema,
  secretPatterns: z.array(z.string()),
  /** Names of the secrets released into `run_command`'s environment; the runner asks its plane for the values. */
  secrets: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  /** The hand-off's budget: the agent's own limits are lowered to these, never raised. */
  maxCostUsd: z.number().nonnegative().nullable(),
  timeoutMs: z.number().int().positive(),
});

/** A parsed `agent` run input. */
export type BatonAgentInput = z.infer<typeof batonAgentInputSchema>;
