import { z } from 'zod';

/** A condition under which local work should continue on a pool (`continueWhen`). */
export type HandoffTrigger =
  | { kind: 'userRequested' }
  | { kind: 'toolFailures'; count: number }
  | { kind: 'slowTools'; ms: number }
  | { kind: 'modelEscalated' };

/**
 * A hand-off policy as data, so that the plane can re-check the very policy the laptop applied
 * (it travels in the envelope, whose hash the contract pins).
 */
export interface HandoffPolicy {
  kind: 'localFirst';
  /** Pools work may continue on; any other pool is denied. */
  allowPools: string[];
  /** The largest budget one hand-off may ask for; `null` for no cap. */
  maxBudgetUsd: number | null;
  /** How many attempts one `parallel` fan-out may start. */
  maxParallel: number;
  /** Secret names a hand-off may ask the plane to release. */
  allowSecrets: string[];
  /** `full` lists every file that moves in the disclosure report; `summary` only counts them. */
  disclosure: 'full' | 'summary';
  continueWhen: HandoffTrigger[];
}

/** Options of {@link localFirst}. */
export interface LocalFirstOptions {
  allowPools?: readonly string[];
  maxBudgetUsd?: number;
  /** Default 1: one attempt at a time unless the policy says more. */
  maxParallel?: number;
  allowSecrets?: readonly string[];
  /** Default `full`. */
  disclosure?: 'full' | 'summary';
  /** Default `[triggers.userRequested()]`. */
  continueWhen?: readonly HandoffTrigger[];
}

/**
 * Work stays local unless a trigger fires, and moves only to an allowed pool within the budget,
 * parallelism and secrets the policy names. With no options it allows nothing but a user's
 * explicit request to a pool it does not know: every hand-off is denied until a pool is allowed.
 */
export function localFirst(options: LocalFirstOptions = {}): HandoffPolicy {
  return handoffPolicySchema.parse({
    kind: 'localFirst',
    allowPools: [...(options.allowPools ?? [])],
    maxBudgetUsd: options.maxBudgetUsd ?? null,
    maxParallel: options.maxParallel ?? 1,
    allowSecrets: [...(options.allowSecrets ?? [])],
    disclosure: options.disclosure ?? 'full',
    continueWhen: [...(options.continueWhen ?? [triggers.userRequested()])],
  });
}

/** The triggers of `continueWhen`. */
export const triggers = {
  /** Fires once `requestContinuation(reason)` was called (or the CLI was asked to hand off). */
  userRequested: (): HandoffTrigger => ({ kind: 'userRequested' }),
  /** Fires once `count` journaled tool calls have failed. */
  toolFailures: (count: number): HandoffTrigger => ({ kind: 'toolFailures', count }),
  /** Fires once a journaled tool call took `ms` milliseconds or longer. */
  slowTools: (ms: number): HandoffTrigger => ({ kind: 'slowTools', ms }),
  /** Fires once the local model escalated (a journaled `escalate` signal). */
  modelEscalated: (): HandoffTrigger => ({ kind: 'modelEscalated' }),
} as const;

/** A pool's name as the policy and the plane accept it. */
export const poolNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a pool name is 1-64 lowercase letters, digits, ".", "_" or "-"');
/** A secret's name: an environment variable name. */
export const secretNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'a secret name is an environment variable name');

const triggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('userRequested') }).strict(),
  z.object({ kind: z.literal('toolFailures'), count: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('slowTools'), ms: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('modelEscalated') }).strict(),
]);

/** The wire form of a {@link HandoffPolicy}, checked where a policy is read (the SDK, the plane). */
export const handoffPolicySchema = z
  .object({
    kind: z.literal('localFirst'),
    allowPools: z.array(poolNameSchema),
    maxBudgetUsd: z.number().nonnegative().nullable(),
    maxParallel: z.number().int().positive(),
    allowSecrets: z.array(secretNameSchema),
    disclosure: z.enum(['full', 'summary']),
    continueWhen: z.array(triggerSchema),
  })
  .strict();
