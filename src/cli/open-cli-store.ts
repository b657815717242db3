import type { BatonConfig } from '../config/load-config.js';
import { EnvironmentError, errorMessage, isBatonError } from '../core/errors.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';

/** The settings the store is opened with. */
export type StoreConfig = Pick<BatonConfig, 'db' | 'sqliteSynchronous' | 'pgPoolSize' | 'env'>;

/**
 * Opens the store the configuration names (`--db`, else `BATON_DB`, else `.baton/baton.db`). A
 * driver or system failure (an unwritable directory, a file that is not a database) becomes an
 * {@link EnvironmentError} naming the store, so every command reports it alike (exit 3).
 */
export async function openCliStore(config: StoreConfig, logger?: Logger): Promise<Store> {
  try {
    return await openStore(config.db, {
      synchronous: config.sqliteSynchronous,
      // The driver takes PGHOST and the other PG* variables from the environment the CLI runs in.
      postgres: {
        poolSize: config.pgPoolSize,
        env: config.env,
        // A dropped LISTEN connection or a throwing subscriber: the store goes on, the log says so.
        ...(logger && { onError: (error: unknown) => logger.warn('store connection problem', { error }) }),
      },
    });
  } catch (error) {
    if (isBatonError(error)) throw error;
    // A URL's credentials never reach the terminal or a log.
    const spec = config.db.replace(/\/\/[^@/]*@/, '//***@');
    throw new EnvironmentError('store_unavailable', `cannot open the store ${spec}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** Opens the configured store, runs `work`, and closes the store however `work` ends. */
export async function withStore<T>(
  config: StoreConfig,
  work: (store: Store) => Promise<T>,
  logger?: Logger,
): Promise<T> {
  const store = await openCliStore(config, logger);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
