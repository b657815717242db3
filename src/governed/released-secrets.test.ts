import { describe, expect, it } from 'vitest';
import { maskStrings, secretMask } from './released-secrets.js';

describe('maskStrings', () => {
  const pem = '-----BEGIN KEY-----\n"q\\uoted"\n-----END KEY-----';
  const mask = secretMask({ PEM: pem, SHORT: 'true' });

  it('masks a value JSON would escape (newlines, quotes, backslashes) in every string, keys included', () => {
    const masked = maskStrings({ output: `cat key\n${pem}\n`, nested: [{ [pem]: pem }], count: 3 }, mask);
    expect(masked).toEqual({
      output: 'cat key\n[secret PEM]\n',
      nested: [{ '[secret PEM]': '[secret PEM]' }],
      count: 3,
    });
    expect(JSON.stringify(masked)).not.toContain('BEGIN KEY');
  });

  it('leaves JSON syntax alone when a short value matches it: only strings are masked', () => {
    expect(maskStrings({ ok: true, text: 'it is true' }, mask)).toEqual({
      ok: true,
      text: 'it is [secret SHORT]',
    });
  });
});
