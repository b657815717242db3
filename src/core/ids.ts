import { randomBytes } from 'node:crypto';

/**
 * Sortable, prefixed ids: `<prefix>_<time base36 padded><random hex>`. Sorting by id orders by
 * creation time, which list endpoints rely on for cursors.
 */
export function newId(prefix: 'ses' | 'run' | 'task' | 'fb' | 'lease' | 'wrk' | 'req'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(8).toString('hex')}`;
}

/** A random secret (continuation tokens, lease tokens), URL-safe. */
export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
