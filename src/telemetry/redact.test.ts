import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from './redact.js';

describe('redact', () => {
  it('hides a runner’s lease and idempotency key headers, which together would replay its claim', () => {
    const headers = {
      'baton-lease': 'lease-token-value',
      'Idempotency-Key': '5b9d0e52-key',
      'content-type': 'application/json',
    };
    expect(redact({ headers })).toEqual({
      headers: {
        'baton-lease': REDACTED,
        'Idempotency-Key': REDACTED,
        'content-type': 'application/json',
      },
    });
  });
});
