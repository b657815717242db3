import { readFile } from 'node:fs/promises';
import type { BatonConfig } from '../config/load-config.js';
import { errorMessage, UserError } from '../core/errors.js';
import type { PriceTable } from '../model/pricing.js';
import { parsePriceTable } from '../model/pricing.js';

/**
 * The price table of the `BATON_PRICES` file (a JSON file of model-id prefixes to
 * `{ inputPerMillionUsd, outputPerMillionUsd }`), read here at the CLI edge and passed down to
 * the runtime; `undefined` when the variable is unset. A missing or malformed file is a
 * `UserError` naming it (a usage error, exit 2), so no run starts with a cost limit it
 * cannot price.
 */
export async function loadPrices(config: Pick<BatonConfig, 'prices'>): Promise<PriceTable | undefined> {
  const file = config.prices;
  if (file === undefined) return undefined;
  const source = `BATON_PRICES file ${file}`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError('invalid_prices', `cannot read the ${source}: ${errorMessage(error)}`);
  }
  return parsePriceTable(value, source);
}
