import type { ModelPricing } from '../core/agent.js';
import { UserError } from '../core/errors.js';
import type { Usage } from '../core/events.js';

/**
 * Prices by model-id prefix, in USD per million tokens. Ids are matched by the longest prefix,
 * so dated snapshots (`claude-sonnet-4-5-20250929`, `gpt-4.1-mini-2025-04-14`) price too.
 */
export type PriceTable = Readonly<Record<string, ModelPricing>>;

const price = (inputPerMillionUsd: number, outputPerMillionUsd: number): ModelPricing => ({
  inputPerMillionUsd,
  outputPerMillionUsd,
});

/** List prices of well-known models. */
const BUILT_IN_PRICES: PriceTable = {
  'gpt-5-nano': price(0.05, 0.4),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5': price(1.25, 10),
  'gpt-4.1-nano': price(0.1, 0.4),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1': price(2, 8),
  'gpt-4o-mini': price(0.15, 0.6),
  'gpt-4o': price(2.5, 10),
  'o4-mini': price(1.1, 4.4),
  'o3-mini': price(1.1, 4.4),
  o3: price(2, 8),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-haiku': price(0.8, 4),
};

/** The price of a model id: the longest matching prefix of `extra` or the built-in table (`extra` wins a tie). */
export function priceOf(modelId: string, extra: PriceTable = {}): ModelPricing | undefined {
  let best: [string, ModelPricing] | undefined;
  for (const table of [BUILT_IN_PRICES, extra]) {
    for (const [prefix, entry] of Object.entries(table)) {
      if (modelId.startsWith(prefix) && (best === undefined || prefix.length >= best[0].length))
        best = [prefix, entry];
    }
  }
  return best?.[1];
}

// Costs are summed in integer micro-dollars and prices held in thousandths of a micro-dollar per
// token, so that sums are exact: 3 × $0.0035 is $0.0105, not 0.010499999999999999.
const MICROS_PER_USD = 1_000_000;
const PRICE_SCALE = 1_000;

/** USD rounded to the micro-dollar, as an integer count of micro-dollars. */
function toMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** USD cost of `usage` at `pricing`, rounded to the micro-dollar. */
export function costAt(pricing: ModelPricing, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): number {
  // $1 per million tokens is one micro-dollar per token.
  const scaled =
    usage.inputTokens * Math.round(pricing.inputPerMillionUsd * PRICE_SCALE) +
    usage.outputTokens * Math.round(pricing.outputPerMillionUsd * PRICE_SCALE);
  return Math.round(scaled / PRICE_SCALE) / MICROS_PER_USD;
}

/** USD cost of `usage` on `modelId`, or `undefined` when the price is unknown. */
export function costOf(
  modelId: string,
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>,
  extra?: PriceTable,
): number | undefined {
  const pricing = priceOf(modelId, extra);
  return pricing === undefined ? undefined : costAt(pricing, usage);
}

/** The sum of USD amounts, computed in micro-dollars (each rounded to the micro-dollar). */
export function addCosts(...amounts: number[]): number {
  return amounts.reduce((total, amount) => total + toMicros(amount), 0) / MICROS_PER_USD;
}

/**
 * Validates a price table read from JSON (the `BATON_PRICES` file): an object of model-id
 * prefixes to `{ inputPerMillionUsd, outputPerMillionUsd }`, non-negative numbers. `source`
 * names the file in the `UserError` that says what is wrong.
 */
export function parsePriceTable(value: unknown, source: string): PriceTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError('invalid_prices', `${source} must hold a JSON object of model ids to prices`);
  }
  const table: Record<string, ModelPricing> = {};
  for (const [modelId, entry] of Object.entries(value)) {
    const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const input = fields.inputPerMillionUsd;
    const output = fields.outputPerMillionUsd;
    const valid = (amount: unknown): amount is number =>
      typeof amount === 'number' && Number.isFinite(amount) && amount >= 0;
    if (modelId === '' || !valid(input) || !valid(output)) {
      throw new UserError(
        'invalid_prices',
        `${source}: ${JSON.stringify(modelId)} must be { "inputPerMillionUsd": <USD>, "outputPerMillionUsd": <USD> }`,
      );
    }
    table[modelId] = price(input, output);
  }
  return table;
}
