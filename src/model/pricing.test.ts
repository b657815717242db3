import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { addCosts, costAt, costOf, parsePriceTable, priceOf } from './pricing.js';

describe('costOf', () => {
  it('prices a dated snapshot by its longest known prefix', () => {
    expect(costOf('gpt-4.1-mini-2025-04-14', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(2);
    expect(costOf('gpt-4.1', { inputTokens: 1_000_000, outputTokens: 0 })).toBe(2);
  });

  it('returns undefined for a model it does not know', () => {
    expect(costOf('llama3', { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });

  it('prices from an extra table, whose entries win over the built-in ones', () => {
    const extra = {
      llama3: { inputPerMillionUsd: 0.5, outputPerMillionUsd: 1 },
      'gpt-4.1': { inputPerMillionUsd: 1, outputPerMillionUsd: 1 },
    };
    expect(costOf('llama3:8b', { inputTokens: 2_000, outputTokens: 1_000 }, extra)).toBe(0.002);
    expect(priceOf('gpt-4.1', extra)).toEqual({ inputPerMillionUsd: 1, outputPerMillionUsd: 1 });
    expect(priceOf('gpt-4.1-mini', extra)).toEqual({ inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6 });
  });
});

describe('micro-dollar arithmetic', () => {
  it('computes costs without binary fractions', () => {
    // (750 × 4.4) / 1e6 is 0.0033000000000000004 in floating point.
    expect(
      costAt({ inputPerMillionUsd: 1.1, outputPerMillionUsd: 4.4 }, { inputTokens: 0, outputTokens: 750 }),
    ).toBe(0.0033);
    expect(addCosts(0.0035, 0.0005, 0.0065)).toBe(0.0105);
  });

  it('rounds each cost to the micro-dollar', () => {
    expect(
      costAt({ inputPerMillionUsd: 0.05, outputPerMillionUsd: 0 }, { inputTokens: 9, outputTokens: 0 }),
    ).toBe(0);
    expect(
      costAt({ inputPerMillionUsd: 0.05, outputPerMillionUsd: 0 }, { inputTokens: 30, outputTokens: 0 }),
    ).toBe(0.000002);
  });
});

describe('parsePriceTable', () => {
  it('accepts model ids mapped to prices per million tokens', () => {
    expect(
      parsePriceTable({ 'llama3.2': { inputPerMillionUsd: 0, outputPerMillionUsd: 0.2 } }, 'prices.json'),
    ).toEqual({
      'llama3.2': { inputPerMillionUsd: 0, outputPerMillionUsd: 0.2 },
    });
  });

  it.each([
    ['an array', []],
    ['a number', 3],
    ['a missing field', { m: { inputPerMillionUsd: 1 } }],
    ['a negative price', { m: { inputPerMillionUsd: -1, outputPerMillionUsd: 1 } }],
    ['a price as text', { m: { inputPerMillionUsd: '1', outputPerMillionUsd: 1 } }],
    ['an empty model id', { '': { inputPerMillionUsd: 1, outputPerMillionUsd: 1 } }],
  ])('refuses %s, naming the source', (_label, value) => {
    expect(() => parsePriceTable(value, 'prices.json')).toThrow(UserError);
    expect(() => parsePriceTable(value, 'prices.json')).toThrow(/prices\.json/);
  });
});
