import { describe, expect, it } from 'vitest';
import { newId, newSecret } from './ids.js';

describe('ids and secrets from the random pool', () => {
  it('never hands out the same random bytes twice, across pool refills', () => {
    // 24-byte secrets do not divide the 4,096-byte pool, so refills land mid-secret boundaries.
    const secrets = Array.from({ length: 2_000 }, () => newSecret());
    expect(new Set(secrets).size).toBe(secrets.length);
    const chunks = secrets.flatMap((secret) => {
      const bytes = Buffer.from(secret, 'base64url');
      return [bytes.subarray(0, 8).toString('hex'), bytes.subarray(8, 16).toString('hex')];
    });
    expect(new Set(chunks).size).toBe(chunks.length);
  });

  it('keeps ids sortable by time with 16 hex digits of randomness, and large secrets whole', () => {
    const ids = Array.from({ length: 1_000 }, () => newId('run'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^run_[0-9a-z]{9}[0-9a-f]{16}$/);
    expect(Buffer.from(newSecret(10_000), 'base64url')).toHaveLength(10_000);
  });
});
