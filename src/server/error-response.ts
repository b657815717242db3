import type { ErrorBody } from '../core/errors.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidTokenError,
  isBatonError,
  MessageTooLargeError,
  NotFoundError,
  UserError,
  ValidationError,
} from '../core/errors.js';
import {
  HostRefusedError,
  MalformedRequestError,
  MethodNotAllowedError,
  OriginRefusedError,
  PayloadTooLargeError,
  RequestAbortedError,
  RouteNotFoundError,
  TooDeepError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './http-errors.js';

/** HTTP statuses the API answers with when something goes wrong. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 431 | 500;

/**
 * The one place where errors become HTTP statuses. Anything a caller can cause with bad input is
 * a 4xx; only failures of the server itself (store down, bugs) are 500.
 * A wrong continuation token is a 404: the token names no session, and a 403 would confirm
 * that the session it was guessed for exists.
 */
export function statusForError(error: unknown): ErrorStatus {
  if (error instanceof MalformedRequestError) return error.status;
  if (error instanceof ValidationError || error instanceof UserError) return 400;
  if (error instanceof TooDeepError || error instanceof RequestAbortedError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof HostRefusedError || error instanceof OriginRefusedError) return 403;
  if (error instanceof NotFoundError || error instanceof InvalidTokenError) return 404;
  if (error instanceof RouteNotFoundError) return 404;
  if (error instanceof MethodNotAllowedError) return 405;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError || error instanceof MessageTooLargeError) return 413;
  if (error instanceof UnsupportedMediaTypeError) return 415;
  return 500;
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
  return new Response(JSON.stringify({ error: errorBodyFor(error) }), { status, headers });
}
