import { hashCanonical } from '../core/hash.js';

/**
 * The default idempotency key of a task: the sha256 of the canonical JSON of its profile, args
 * and namespace, so resubmitting the same work (keys in any order) finds the same task.
 */
export function taskIdempotencyKey(
  profile: string,
  args: Record<string, unknown>,
  namespace: string,
): string {
  return hashCanonical({ profile, args, namespace });
}
