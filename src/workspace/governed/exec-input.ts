import { z } from 'zod';

/** The run input of an `exec` run: everything the executor needs, fixed when the contract is issued. */
export const execInputSchema = z.object({
  command: z.array(z.string()).min(1),
  manifestHash: z.string().regex(/^[0-9a-f]{64}$/),
  timeoutMs: z.number().int().positive(),
  maxOutputBytes: z.number().int().nonnegative(),
  sandbox: z.enum(['bwrap', 'none']),
  /** Hidden inside the sandbox: the source repository (its secrets) and the Baton home (its keys). */
  hidePaths: z.array(z.string()),
  secretPatterns: z.array(z.string()),
  /** Reachable through the sandbox's allowlisting proxy; absent in runs queued before allowlists. */
  allowHosts: z.array(z.string()).default([]),
});

/** A parsed `exec` run input. */
export type ExecInput = z.infer<typeof execInputSchema>;
