import { ValidationError } from '../core/errors.js';

/**
 * List pages are ordered by a store-internal insertion position (newest first); the cursor is
 * that position, encoded so callers treat it as opaque.
 */

const PREFIX = 'p';

/** The opaque cursor pointing just past the item at insertion position `position`. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`, 'utf8').toString('base64url');
}

/** The insertion position a cursor stands for; a malformed cursor is a `ValidationError`. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = Number(text.slice(PREFIX.length));
  if (!text.startsWith(PREFIX) || !Number.isSafeInteger(position) || position < 0) {
    throw new ValidationError(`invalid cursor ${JSON.stringify(cursor)}`, 'cursor');
  }
  return position;
}

/** Checks a page size: a positive integer. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError(`limit must be a positive integer, got ${String(limit)}`, 'limit');
  }
  return limit;
}
