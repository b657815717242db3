import type { z } from 'zod';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { findUnstorableText, replaceUnstorable } from './input-limits.js';

/** Where a value came from; named in validation messages. */
type InputSource = 'field' | 'query parameter' | 'header';

/**
 * Reads a request body as JSON and validates it. Malformed JSON, text no store can hold (NUL,
 * unpaired surrogates) and schema violations are all `ValidationError`s (400 `invalid_request`)
 * naming the offending field. The body's depth was bounded by `requireJsonBody` before this.
 */
export async function parseJsonBody<T>(
  request: { text(): Promise<string> },
  schema: z.ZodType<T>,
): Promise<T> {
  const text = await request.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('the request body is not valid JSON');
  }
  const unstorable = findUnstorableText(value);
  if (unstorable !== undefined) {
    const field = replaceUnstorable(unstorable);
    throw new ValidationError(
      `invalid ${field === '' ? 'request body' : `field ${field}`}: must not contain NUL or unpaired surrogates`,
      field,
    );
  }
  return validate(schema, value, 'field');
}

/** Validates query parameters (strings) against a schema that parses them. */
export function parseQuery<T>(query: Record<string, string>, schema: z.ZodType<T>): T {
  return validate(schema, query, 'query parameter');
}

/** Validates one header value. */
export function parseHeader<T>(name: string, value: string, schema: z.ZodType<T>): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    `invalid header ${name}: ${result.error.issues[0]?.message ?? 'invalid value'}`,
    name,
  );
}

/** Longer ids are unknown by definition; Baton's own are under 40 characters. */
const MAX_ID_LENGTH = 256;

/**
 * A resource id taken from the path. An id no store can hold (control characters, unpaired
 * surrogates, over 256 characters) names nothing, so it is a 404 at once: PostgreSQL would
 * otherwise reject the lookup itself and the caller would see a 500 for bad input.
 */
export function pathId(kind: string, id: string): string {
  if (id.length > MAX_ID_LENGTH || /[\p{Cc}\p{Cs}]/u.test(id)) {
    throw new NotFoundError(kind, id.slice(0, MAX_ID_LENGTH));
  }
  return id;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, source: InputSource): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const message = issue?.message ?? 'invalid value';
  if (field === '') throw new ValidationError(`invalid request: ${message}`);
  throw new ValidationError(`invalid ${source} ${field}: ${message}`, field);
}
