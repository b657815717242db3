import type { BatonConfig } from '../config/load-config.js';
import type { PriceTable } from '../model/pricing.js';
import type { RuntimeOptions } from '../runtime/create-runtime.js';

/**
 * What every runtime a command creates takes from the configuration: the environment, the
 * lease TTL, the continuation-token secret, the built-in agents' model and the price table.
 */
export function runtimeOptions(
  config: Pick<BatonConfig, 'env' | 'leaseTtl' | 'tokenSecret' | 'builtInModel'>,
  prices?: PriceTable,
): Omit<RuntimeOptions, 'store'> {
  return {
    env: config.env,
    leaseTtlMs: config.leaseTtl,
    ...(config.tokenSecret !== undefined && { tokenSecret: config.tokenSecret }),
    ...(config.builtInModel !== undefined && { profiles: { model: config.builtInModel } }),
    ...(prices && { prices }),
  };
}
