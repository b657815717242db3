import { z } from 'zod';
import { HISTORY_MAX_LIMIT } from './task-types.js';

/** The envelope of `submitTask`; the args are checked by the profile. */
export const submitSchema = z.object({
  profile: z.string().min(1),
  args: z.record(z.string(), z.unknown()),
  namespace: z.string().min(1).max(200).optional(),
  idempotencyKey: z.string().min(1).max(500).optional(),
});

/** `attachFeedback`'s rating. */
export const feedbackSchema = z.object({
  score: z.number().min(0).max(1),
  label: z.string().max(200).optional(),
  notes: z.string().max(10_000),
  by: z.enum(['agent', 'user', 'downstream-judge']),
});

/** `history` filters; a limit above the cap is lowered to it. */
export const historySchema = z.object({
  namespace: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z
    .number()
    .int()
    .min(1)
    .transform((limit) => Math.min(limit, HISTORY_MAX_LIMIT))
    .optional(),
});
