import { ValidationError } from '../core/errors.js';

/** Argument checks shared by every store, so bad input is the same typed error everywhere. */

/** Checks a page size: a positive integer. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError(`limit must be a positive integer, got ${String(limit)}`, 'limit');
  }
  return limit;
}

/** Checks a lease time-to-live: a positive, finite number of milliseconds. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ValidationError(
      `ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}`,
      'ttlMs',
    );
  }
  return ttlMs;
}
