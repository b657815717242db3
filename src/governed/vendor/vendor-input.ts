import { z } from 'zod';
import { sandboxPolicySchema } from '../../core/sandbox-policy.js';
import { vendorAgentSchema } from './vendor-agent.js';

/** The run input of a `vendor` run: fixed when the contract is issued, so the contract pins it. */
export const vendorInputSchema = z.object({
  agent: vendorAgentSchema,
  task: z.string().min(1),
  manifestHash: z.string().regex(/^[0-9a-f]{64}$/),
  policy: sandboxPolicySchema,
  secretPatterns: z.array(z.string()),
  /**
   * Names of the secrets released into the sandbox's environment (the vendor's API key, say).
   * Only names: the executing worker takes the values from its own environment.
   */
  secrets: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  /** The run's spending cap; the vendor's own reported cost is checked against it as it streams. */
  maxCostUsd: z.number().nonnegative().nullable(),
});

/** A parsed `vendor` run input. */
export type VendorInput = z.infer<typeof vendorInputSchema>;
