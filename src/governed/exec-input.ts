import { z } from 'zod';
import { sandboxPolicySchema } from '../core/sandbox-policy.js';

/** The run input of an `exec` run: everything the executor needs, fixed when the contract is issued. */
export const execInputSchema = z.object({
  command: z.array(z.string()).min(1),
  manifestHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The run's sandbox policy (also in the contract): view, hidden paths, hosts, limits. */
  policy: sandboxPolicySchema,
  secretPatterns: z.array(z.string()),
  /** Names of the secrets the plane releases into the command's environment (never their values). */
  secrets: z.array(z.string()).optional(),
});

/** A parsed `exec` run input. */
export type ExecInput = z.infer<typeof execInputSchema>;
