import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { DEFAULT_LEASE_TTL_MS, defaultLeaseTtlMs } from './lease-settings.js';

describe('defaultLeaseTtlMs', () => {
  it('reads BATON_LEASE_TTL_MS and falls back to 30 s', () => {
    expect(defaultLeaseTtlMs({ BATON_LEASE_TTL_MS: '500' })).toBe(500);
    expect(defaultLeaseTtlMs({})).toBe(DEFAULT_LEASE_TTL_MS);
  });

  it('rejects a value that is not a usable TTL', () => {
    expect(() => defaultLeaseTtlMs({ BATON_LEASE_TTL_MS: 'soon' })).toThrow(UserError);
    expect(() => defaultLeaseTtlMs({ BATON_LEASE_TTL_MS: '5' })).toThrow(/BATON_LEASE_TTL_MS/);
  });
});
