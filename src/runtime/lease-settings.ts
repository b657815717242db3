import { UserError } from '../core/errors.js';

/** Lease TTL when neither the caller nor `BATON_LEASE_TTL_MS` sets one. */
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

/** The default lease TTL: `BATON_LEASE_TTL_MS` when set, else {@link DEFAULT_LEASE_TTL_MS}. */
export function defaultLeaseTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BATON_LEASE_TTL_MS;
  if (raw === undefined || raw === '') return DEFAULT_LEASE_TTL_MS;
  return checkLeaseTtl(Number(raw), 'BATON_LEASE_TTL_MS');
}
