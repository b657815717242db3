import { z } from 'zod';
import { hashCanonical } from '../../core/hash.js';
import { batonAgentNameSchema } from '../baton-agent/agent-input.js';
import { vendorAgentSchema } from '../vendor/vendor-agent.js';
import { handoffPolicySchema, poolNameSchema, secretNameSchema } from './policy.js';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** A checkpoint as the envelope names it: the capture's manifest and where it came from. */
export const checkpointRefSchema = z
  .object({
    /** The hash of the checkpoint record (a blob): its identity. */
    id: hash,
    manifestHash: hash,
    baseRef: z.string().regex(/^[0-9a-f]{40,64}$/),
    /** The checkpoint this one follows, or null for the first. */
    parent: hash.nullable(),
  })
  .strict();

/**
 * What runs on the pool: a command in the sandboxed checkout (`exec`; the `mock` agent's command
 * writes a visible file and spends nothing), a vendor coding agent's CLI run headless there
 * (`vendor`: Claude Code, Codex, OpenCode), or a Baton agent by name (`agent`: defined in
 * TypeScript, served by the plane or the runner, working on the checkout with the workspace tools).
 */
export const executionSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exec'), command: z.array(z.string()).min(1) }).strict(),
  z.object({ kind: z.literal('vendor'), agent: vendorAgentSchema.strict() }).strict(),
  z.object({ kind: z.literal('agent'), name: batonAgentNameSchema }).strict(),
]);

/** A parsed {@link executionSpecSchema}. */
export type ExecutionSpec = z.infer<typeof executionSpecSchema>;

const toolCallSchema = z
  .object({ name: z.string().max(200), ok: z.boolean(), durationMs: z.number().nonnegative() })
  .strict();

/**
 * Everything one hand-off asks the plane for; the contract pins its hash. Secrets are names
 * only: their values never leave the plane's own source.
 */
export const handoffEnvelopeSchema = z
  .object({
    version: z.literal(1),
    checkpoint: checkpointRefSchema,
    pool: poolNameSchema,
    agent: z.string().min(1).max(200),
    task: z.string().min(1).max(100_000),
    reason: z.string().max(2_000).nullable(),
    execution: executionSpecSchema,
    /** Default deny: `none` unless hosts are allowed through the egress proxy. */
    network: z.object({ mode: z.enum(['none', 'allowlist']), hosts: z.array(z.string()) }).strict(),
    secrets: z.array(secretNameSchema),
    budget: z
      .object({ maxCostUsd: z.number().nonnegative().nullable(), timeoutMs: z.number().int().positive() })
      .strict(),
    disclosure: z.enum(['full', 'summary']),
    policy: handoffPolicySchema,
    /** What the laptop's triggers read when it decided, so the plane re-checks the same facts. */
    signals: z
      .object({
        continuationRequested: z.string().nullable(),
        toolCalls: z.array(toolCallSchema),
        modelEscalated: z.boolean(),
      })
      .strict(),
    /** Who asked (the SDK's `actor`), or null. */
    actor: z.string().max(200).nullable(),
    /** This attempt among the attempts one `parallel` started together (`{ index: 0, of: 1 }` alone). */
    attempt: z.object({ index: z.number().int().nonnegative(), of: z.number().int().positive() }).strict(),
  })
  .strict();

/** A parsed hand-off envelope. */
export type HandoffEnvelope = z.infer<typeof handoffEnvelopeSchema>;

/** The envelope's identity: sha256 of its canonical JSON, pinned by the contract. */
export function envelopeHash(envelope: HandoffEnvelope): string {
  return hashCanonical(envelope);
}
