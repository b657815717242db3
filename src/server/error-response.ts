import type { ErrorBody } from '../core/errors.js';
import {
  ConflictError,
  InvalidTokenError,
  isBatonError,
  MessageTooLargeError,
  NotFoundError,
  UserError,
  ValidationError,
} from '../core/errors.js';
import {
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthorizedError,
} from './http-errors.js';

/** HTTP statuses the API answers with when something goes wrong. */
export type ErrorStatus = 400 | 401 | 404 | 405 | 409 | 413 | 500;

/**
 * The one place where errors become HTTP statuses. Anything a caller can cause with bad input is
 * a 4xx; only failures of the server itself (store down, bugs) are 500.
 * A wrong continuation token is a 404: the token names no session, and a 403 would confirm
 * that the session it was guessed for exists.
 */
export function statusForError(error: unknown): ErrorStatus {
  if (error instanceof ValidationError || error instanceof UserError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof NotFoundError || error instanceof InvalidTokenError) return 404;
  if (error instanceof RouteNotFoundError) return 404;
  if (error instanceof MethodNotAllowedError) return 405;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError || error instanceof MessageTooLargeError) return 413;
  return 500;
}

/** `{ code, message }` for the wire; internal failures get a generic message so nothing leaks. */
export function errorBodyFor(error: unknown): ErrorBody {
  if (isBatonError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'internal server error' };
}

/** A JSON error response `{ error: { code, message } }` with the mapped status and headers. */
export function errorResponse(error: unknown): Response {
  const status = statusForError(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (error instanceof UnauthorizedError) headers['www-authenticate'] = error.challenge;
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  return new Response(JSON.stringify({ error: errorBodyFor(error) }), { status, headers });
}
