import { z } from 'zod';
import { sandboxPolicySchema } from '../core/sandbox-policy.js';
import type { Store } from '../store/store.js';
import { type GovernedRunOptions, type StartedGovernedRun, startGovernedRun } from './start-governed.js';

/** The run input of a `workspace` run: an agent working on a restored copy of a captured workspace. */
export const workspaceRunInputSchema = z.object({
  message: z.string().min(1),
  manifestHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Module that defines the agent, so that another process can load it. */
  agentModule: z.string().optional(),
  model: z.string().optional(),
  /** The run's sandbox policy (also in the contract), taken by every `run_command`. */
  policy: sandboxPolicySchema,
  secretPatterns: z.array(z.string()),
  /** The captured repository's root (real path): peers on it are shown to `awareness: 'workspace'` agents. */
  repository: z.string().optional(),
});

/** A parsed `workspace` run input. */
export type WorkspaceRunInput = z.infer<typeof workspaceRunInputSchema>;

/** Options of {@link startWorkspaceRun}. */
export interface StartWorkspaceRunOptions extends GovernedRunOptions {
  agent: string;
  message: string;
  agentModule?: string;
  model?: string;
  maxSteps?: number;
  maxCostUsd?: number;
}

/**
 * Captures the workspace, issues the contract and queues a `workspace` run: the agent gets the
 * workspace tools on a scratch restore, and its patch and receipt are produced as for `exec`.
 */
export function startWorkspaceRun(
  store: Store,
  options: StartWorkspaceRunOptions,
): Promise<StartedGovernedRun> {
  return startGovernedRun(store, options, {
    kind: 'workspace',
    agent: options.agent,
    ...(options.agentModule !== undefined && { agentModule: options.agentModule }),
    task: { kind: 'workspace', agent: options.agent, message: options.message },
    budget: {
      timeoutMs: null,
      maxOutputBytes: null,
      maxSteps: options.maxSteps ?? null,
      maxCostUsd: options.maxCostUsd ?? null,
    },
    leadingEvents: [{ type: 'message.received', data: { role: 'user', text: options.message } }],
    input: ({ manifestHash, policy, secretPatterns, repository }): WorkspaceRunInput => ({
      message: options.message,
      manifestHash,
      repository,
      ...(options.agentModule !== undefined && { agentModule: options.agentModule }),
      ...(options.model !== undefined && { model: options.model }),
      policy,
      secretPatterns,
    }),
  });
}
