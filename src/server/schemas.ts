import { z } from 'zod';

/** A user message: any non-empty text (its size is bounded by the body limit). */
const message = z.string().min(1, 'must be a non-empty string');

/** A query parameter holding a non-negative integer, written in plain digits. */
const digits = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number);

/**
 * Text that is stored in a PostgreSQL text column as it is (not inside JSON): PostgreSQL
 * cannot hold NUL, so one is refused here as bad input rather than failing in the store (a 500).
 */
export const storableText = z.string().refine((value) => !value.includes('\u0000'), 'must not contain NUL');

/** `POST /v1/sessions`. */
export const startSessionBody = z.object({
  agent: z.string().min(1, 'must be a non-empty string'),
  message,
  context: z.record(z.string(), z.unknown()).optional(),
  idempotencyKey: storableText.pipe(z.string().min(1).max(256)).optional(),
});

/** `POST /v1/messages`. */
export const sendMessageBody = z.object({
  continuationToken: z.string().min(1, 'must be a non-empty string'),
  message,
  priority: z.enum(['user', 'background']).optional(),
});

/** `GET /v1/sessions?limit&cursor`. */
export const listSessionsQuery = z.object({
  limit: digits.pipe(z.number().int().min(1).max(100)).optional(),
  cursor: z.string().min(1).max(256).optional(),
});

/** `GET /v1/sessions/:id/stream?from&follow`. */
/** A query flag: `1`/`true` or `0`/`false`. */
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true')
  .optional();

export const streamQuery = z.object({
  from: digits.optional(),
  follow: flag,
  /** Interleave the child sessions' events, each tagged with its `childSessionId`. */
  children: flag,
});

/** The SSE `Last-Event-ID` header: the `seq` of the last event the reader saw. */
export const lastEventId = digits;
