import { createHmac, randomBytes } from 'node:crypto';
import { sha256Hex } from '../core/hash.js';

/**
 * Continuation tokens are `HMAC-SHA256(secret, sessionId)`: unguessable without the secret, yet
 * re-derivable, so an idempotent `start` replay can hand back the same token. Only the sha256
 * of a token is stored. The secret is the runtime's `tokenSecret` option (the CLI passes
 * `BATON_TOKEN_SECRET`); without one, a random per-runtime secret is used.
 */
export function tokenSecret(value: string | Uint8Array | undefined): Uint8Array {
  if (value === undefined || value === '') return randomBytes(32);
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** The session's continuation token under `secret`. */
export function deriveToken(secret: Uint8Array, sessionId: string): string {
  return createHmac('sha256', secret).update(sessionId).digest('base64url');
}

/** What the store keeps instead of the token. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}
