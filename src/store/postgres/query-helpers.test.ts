import { describe, expect, it } from 'vitest';
import { prepared } from './query-helpers.js';

describe('prepared', () => {
  it('names one text the same way every time, so a connection plans it once', () => {
    const first = prepared('SELECT 1 WHERE $1::text IS NULL', [null]);
    const second = prepared('SELECT 1 WHERE $1::text IS NULL', ['x']);
    expect(first.name).toBe(second.name);
    expect(second.values).toEqual(['x']);
  });

  it('gives different texts different names within the 63-byte identifier limit', () => {
    const first = prepared('SELECT 1', []);
    const second = prepared('SELECT 2', []);
    expect(first.name).not.toBe(second.name);
    expect(first.name?.length).toBeLessThanOrEqual(63);
  });
});
