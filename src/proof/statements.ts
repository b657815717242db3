import { z } from 'zod';
import { sandboxPolicySchema } from '../core/sandbox-policy.js';

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const timestamp = z.string().min(1);

/**
 * What a run was allowed to do, signed by the plane key before it starts (docs/proof.md).
 * Schemas are strict: an unknown field makes a statement invalid rather than silently unsigned.
 */
export const contractSchema = z
  .object({
    version: z.literal(1),
    runId: z.string().min(1),
    issuedAt: timestamp,
    requestedBy: z.object({ kind: z.string(), subject: z.string() }).strict(),
    /** The agent name, or `exec` for a governed command. */
    agent: z.string().min(1),
    /** sha256 of the canonical task: the command or the message. */
    taskHash: hash,
    /** sha256 of the captured workspace manifest, or null for a run without a workspace. */
    workspaceManifestHash: hash.nullable(),
    /** sha256 of the canonical run input (task plus every option). */
    envelopeHash: hash,
    network: z.object({ mode: z.enum(['none', 'allowlist']), hosts: z.array(z.string()) }).strict(),
    secrets: z.object({ env: z.array(z.string()), deniedPaths: z.array(z.string()) }).strict(),
    budget: z
      .object({
        timeoutMs: z.number().int().nullable(),
        maxOutputBytes: z.number().int().nullable(),
        maxSteps: z.number().int().nullable(),
        maxCostUsd: z.number().nullable(),
      })
      .strict(),
    pool: z.string().min(1),
    /**
     * The run's sandbox policy: isolation (`bwrap` or an explicit local `none`), readable and
     * hidden paths, hosts, environment, limits, the uid under root. Absent in contracts issued
     * before policies were recorded.
     */
    sandbox: sandboxPolicySchema.optional(),
  })
  .strict();

/** An artifact a receipt pins: a blob by kind, hash and size. */
export const artifactSchema = z
  .object({ kind: z.string().min(1), hash, bytes: z.number().int().nonnegative() })
  .strict();

/** What happened, signed by the runner key after the run ended (docs/proof.md). */
export const receiptSchema = z
  .object({
    version: z.literal(1),
    runId: z.string().min(1),
    contractHash: hash,
    status: z.enum(['succeeded', 'failed', 'cancelled']),
    attempts: z.number().int().positive(),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    /** Hash of the last event the run committed: pins the session's hash chain up to there. */
    eventLogHead: hash,
    artifacts: z.array(artifactSchema),
    usage: z
      .object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number().optional() })
      .strict(),
    /**
     * Who finished the run: `local` (the plane's own workers) or `pool` (a runner of `pool`,
     * worker `id`, whose key signs the receipt). `pool` and `id` are absent for local runs.
     */
    runner: z
      .object({ kind: z.string(), host: z.string(), pool: z.string().optional(), id: z.string().optional() })
      .strict(),
    /** The isolation the run's commands ran under (its contract's policy); absent in older receipts. */
    sandbox: z.enum(['bwrap', 'none']).optional(),
  })
  .strict();

/** An Ed25519 signature over a statement's canonical JSON bytes, with the raw public key (hex). */
export const signatureSchema = z
  .object({
    alg: z.literal('ed25519'),
    publicKey: z.string().regex(/^[0-9a-f]{64}$/),
    signature: z.string().regex(/^[0-9a-f]{128}$/),
  })
  .strict();

/**
 * The receipt file (`baton receipt` prints it, `baton verify` checks it): both statements with
 * their signatures. Its bytes are exactly its canonical JSON (plus an optional final newline),
 * so every byte of the file is covered by a check. Documented in docs/proof.md.
 */
export const envelopeSchema = z
  .object({
    version: z.literal(1),
    contract: contractSchema,
    receipt: receiptSchema,
    signatures: z.object({ contract: signatureSchema, receipt: signatureSchema }).strict(),
  })
  .strict();

/** What a run was allowed to do, signed before it starts. */
export type Contract = z.infer<typeof contractSchema>;
/** What a run did, pinning its contract, event log head and artifacts. */
export type Receipt = z.infer<typeof receiptSchema>;
/** One content-addressed output of a run: `{ kind, hash, bytes }`. */
export type Artifact = z.infer<typeof artifactSchema>;
/** The receipt file: contract, receipt and both signatures. */
export type ProofEnvelope = z.infer<typeof envelopeSchema>;
