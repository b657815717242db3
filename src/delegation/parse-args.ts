import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

/** Parses with a zod schema; failure is a `ValidationError` naming the first bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix = 'args'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].join('.');
  throw new ValidationError(`${field}: ${issue?.message ?? 'invalid'}`, field);
}
