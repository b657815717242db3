import type { StoreErrorCode } from '../../core/error-codes.js';
import { BatonError, errorMessage, isBatonError } from '../../core/errors.js';

/**
 * Why the Postgres store could not do what was asked. Startup errors name who must act:
 * `db_url_invalid` (fix the URL), `db_auth_failed` (fix the credentials), `db_not_found`
 * (create the database), `db_permission_denied` (grant the role rights), `db_unavailable`
 * (the server is down or the connection was lost; operations reject until it is back).
 */
export type PostgresErrorCode = Extract<StoreErrorCode, `db_${string}`>;

/** An error of the Postgres store; `code` says which of {@link PostgresErrorCode} it is. */
export class PostgresStoreError extends BatonError {
  declare readonly code: PostgresErrorCode;

  constructor(code: PostgresErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// SQLSTATE classes and Node socket errors that mean "the connection is gone or never came up".
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the error means the database connection was lost or could not be opened. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof PostgresStoreError) return error.code === 'db_unavailable';
  const code = codeOf(error);
  if (code !== undefined && (CONNECTION_STATES.has(code) || SOCKET_CODES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  // node-postgres reports a dropped socket and a connect timeout with these messages, without a code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/**
 * Maps a driver error to a typed {@link PostgresStoreError}; Baton errors pass through.
 * `target` is the redacted URL, so messages never carry a password.
 */
export function toStoreError(error: unknown, target: string): BatonError {
  if (isBatonError(error)) return error;
  const message = errorMessage(error);
  const code = codeOf(error);
  if (code === '28P01' || code === '28000') {
    return new PostgresStoreError('db_auth_failed', `authentication to ${target} failed: ${message}`, {
      cause: error,
    });
  }
  if (code === '3D000') {
    return new PostgresStoreError('db_not_found', `database of ${target} does not exist: ${message}`, {
      cause: error,
    });
  }
  if (code === '42501') {
    return new PostgresStoreError(
      'db_permission_denied',
      `the role lacks a permission on ${target}: ${message}`,
      {
        cause: error,
      },
    );
  }
  if (isConnectionError(error)) {
    return new PostgresStoreError('db_unavailable', `database ${target} is unavailable: ${message}`, {
      cause: error,
    });
  }
  return new PostgresStoreError('db_error', `database error on ${target}: ${message}`, { cause: error });
}
