import { describe, expect, it } from 'vitest';
import { costOf } from './pricing.js';

describe('costOf', () => {
  it('prices a dated snapshot by its longest known prefix', () => {
    expect(
      costOf('gpt-4.1-mini-2025-04-14', { inputTokens: 1_000_000, outputTokens: 1_000_000 }),
    ).toBeCloseTo(2.0);
    expect(costOf('gpt-4.1', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2.0);
  });

  it('returns undefined for a model it does not know', () => {
    expect(costOf('llama3', { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });
});
