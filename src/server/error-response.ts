import type { ErrorStatus } from '../core/error-codes/error-code-entry.js';
import { httpStatusOf } from '../core/error-codes.js';
import type { ErrorBody } from '../core/errors.js';
import { isBatonError } from '../core/errors.js';
import { UploadQuotaExceededError } from './blob-upload-quota.js';
import { MethodNotAllowedError, UnauthorizedError } from './http-errors.js';

/**
 * The one place where errors become HTTP statuses: a Baton error answers with the status its
 * code has in the error table (src/core/error-codes.ts, docs/errors.md); anything else is 500.
 * Anything a caller can cause with bad input is a 4xx; only failures of the server itself
 * (store down, bugs) are 500. A wrong continuation token is a 404: the token names no session,
 * and a 403 would confirm that the session it was guessed for exists.
 */
export function statusForError(error: unknown): ErrorStatus {
  return isBatonError(error) ? httpStatusOf(error.code) : 500;
}

/** The body of every 500: what failed (a store error names its database) stays in the server log. */
export const INTERNAL_ERROR_BODY: Readonly<ErrorBody> = Object.freeze({
  code: 'internal',
  message: 'internal server error',
});

/**
 * `{ code, message }` for the wire. Only errors the caller caused (a 4xx) are described; every
 * server fault, a Baton error included, gets the generic {@link INTERNAL_ERROR_BODY} so nothing leaks.
 */
export function errorBodyFor(error: unknown): ErrorBody {
  if (statusForError(error) === 500 || !isBatonError(error)) return { ...INTERNAL_ERROR_BODY };
  return { code: error.code, message: error.message };
}

/** A JSON error response `{ error: { code, message } }` with the mapped status and headers. */
export function errorResponse(error: unknown): Response {
  const status = statusForError(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (error instanceof UnauthorizedError) headers['www-authenticate'] = error.challenge;
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  if (error instanceof UploadQuotaExceededError) headers['retry-after'] = String(error.retryAfterSeconds);
  return new Response(JSON.stringify({ error: errorBodyFor(error) }), { status, headers });
}
