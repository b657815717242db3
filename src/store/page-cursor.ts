import { ValidationError } from '../core/errors.js';

/**
 * List pages are ordered by a store-internal insertion position (newest first); the cursor is
 * that position, encoded so callers treat it as opaque.
 */

const PREFIX = 'p';
const DECODED = /^p(0|[1-9]\d{0,15})$/;

/** The opaque cursor pointing just past the item at insertion position `position`. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`, 'utf8').toString('base64url');
}

/** The insertion position a cursor stands for; a malformed cursor is a `ValidationError`. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = Number(text.slice(PREFIX.length));
  if (!DECODED.test(text) || !Number.isSafeInteger(position)) {
    throw new ValidationError(`invalid cursor ${JSON.stringify(cursor)}`, 'cursor');
  }
  return position;
}
