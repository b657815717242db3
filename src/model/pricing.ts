import type { Usage } from '../core/events.js';

/** USD per million tokens. */
interface Price {
  input: number;
  output: number;
}

// List prices of well-known models (USD per 1M tokens). Model ids are matched by the longest
// prefix, so dated snapshots (`claude-sonnet-4-5-20250929`, `gpt-4.1-mini-2025-04-14`) price too.
const PRICES: ReadonlyArray<readonly [string, Price]> = [
  ['gpt-5-nano', { input: 0.05, output: 0.4 }],
  ['gpt-5-mini', { input: 0.25, output: 2 }],
  ['gpt-5', { input: 1.25, output: 10 }],
  ['gpt-4.1-nano', { input: 0.1, output: 0.4 }],
  ['gpt-4.1-mini', { input: 0.4, output: 1.6 }],
  ['gpt-4.1', { input: 2, output: 8 }],
  ['gpt-4o-mini', { input: 0.15, output: 0.6 }],
  ['gpt-4o', { input: 2.5, output: 10 }],
  ['o4-mini', { input: 1.1, output: 4.4 }],
  ['o3-mini', { input: 1.1, output: 4.4 }],
  ['o3', { input: 2, output: 8 }],
  ['claude-opus-4-1', { input: 15, output: 75 }],
  ['claude-opus-4', { input: 15, output: 75 }],
  ['claude-sonnet-4-5', { input: 3, output: 15 }],
  ['claude-sonnet-4', { input: 3, output: 15 }],
  ['claude-haiku-4-5', { input: 1, output: 5 }],
  ['claude-3-7-sonnet', { input: 3, output: 15 }],
  ['claude-3-5-haiku', { input: 0.8, output: 4 }],
];

/** The price of a model id, when it is in the table. */
export function priceOf(modelId: string): Price | undefined {
  let best: readonly [string, Price] | undefined;
  for (const entry of PRICES) {
    if (modelId.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length))
      best = entry;
  }
  return best?.[1];
}

/** USD cost of `usage` on `modelId`, or `undefined` when the price is unknown. */
export function costOf(
  modelId: string,
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>,
): number | undefined {
  const price = priceOf(modelId);
  if (price === undefined) return undefined;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
