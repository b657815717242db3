import { describe, expect, it } from 'vitest';
import { backoffDelay } from './connection.js';

describe('backoffDelay', () => {
  it('doubles from 100 ms up to 5 s, jittered within the upper half of each step', () => {
    const lowest = [1, 2, 3, 4, 8, 20].map((attempt) => backoffDelay(attempt, () => 0));
    const highest = [1, 2, 3, 4, 8, 20].map((attempt) => backoffDelay(attempt, () => 1));
    expect(lowest).toEqual([50, 100, 200, 400, 2500, 2500]);
    expect(highest).toEqual([100, 200, 400, 800, 5000, 5000]);
  });
});
