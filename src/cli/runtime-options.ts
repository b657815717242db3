import type { RuntimeOptions } from '../baton-runtime.js';
import type { BatonConfig } from '../config/load-config.js';
import type { PriceTable } from '../model/pricing.js';
import { createLogger, type Logger } from '../telemetry/logger.js';

/**
 * What every runtime a command creates takes from the configuration: the environment, the
 * lease TTL, the continuation-token secret, the built-in agents' model and the price table; and
 * the logger that hears what the runtime could not record (by default JSON lines on stderr,
 * warnings and errors only, for commands without `--log-level`).
 */
export function runtimeOptions(
  config: Pick<BatonConfig, 'env' | 'leaseTtl' | 'tokenSecret' | 'builtInModel'>,
  prices?: PriceTable,
  logger: Logger = createLogger({ level: 'warn' }),
): Omit<RuntimeOptions, 'store'> {
  return {
    env: config.env,
    logger,
    leaseTtlMs: config.leaseTtl,
    ...(config.tokenSecret !== undefined && { tokenSecret: config.tokenSecret }),
    ...(config.builtInModel !== undefined && { profiles: { model: config.builtInModel } }),
    ...(prices && { prices }),
  };
}
