import { UserError } from '../core/errors.js';

/** Lease TTL when the caller sets none (the CLI's `--lease-ttl` or `BATON_LEASE_TTL_MS`). */
export const DEFAULT_LEASE_TTL_MS = 30_000;

/** The shortest TTL accepted: renewals run every ttl/3, and a store commit must fit in that. */
export const MIN_LEASE_TTL_MS = 100;

/** Validates a lease TTL, naming where it came from when it is unusable. */
export function checkLeaseTtl(value: number, source: string): number {
  if (!Number.isInteger(value) || value < MIN_LEASE_TTL_MS) {
    throw new UserError(
      'invalid_lease_ttl',
      `${source} must be an integer number of ms >= ${MIN_LEASE_TTL_MS}`,
    );
  }
  return value;
}
