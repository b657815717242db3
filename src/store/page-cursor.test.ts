import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

describe('page cursors', () => {
  it('round-trips an insertion position through an opaque string', () => {
    for (const position of [0, 1, 42, 2 ** 40]) {
      const cursor = encodeCursor(position);
      expect(cursor).not.toContain(String(position));
      expect(decodeCursor(cursor)).toBe(position);
    }
  });

  it('rejects anything that is not a cursor it issued', () => {
    for (const bad of [
      '',
      'p',
      Buffer.from('p').toString('base64url'),
      Buffer.from('p-1').toString('base64url'),
      Buffer.from('x12').toString('base64url'),
      '%%%',
    ]) {
      expect(() => decodeCursor(bad)).toThrow(ValidationError);
    }
  });
});
