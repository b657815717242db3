import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BatonConfig } from '../config/load-config.js';
import { EnvironmentError, errorMessage, isBatonError } from '../core/errors.js';
import { ensureBatonHome } from '../proof/baton-home.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';

/** The settings the store is opened with. */
export type StoreConfig = Pick<BatonConfig, 'db' | 'sqliteSynchronous' | 'pgPoolSize' | 'env' | 'home'>;

/**
 * Opens the store the configuration names (`--db`, else `BATON_DB`, else `.baton/baton.db`). A
 * driver or system failure (an unwritable directory, a file that is not a database) becomes an
 * {@link EnvironmentError} naming the store, so every command reports it alike (exit 3).
 */
export async function openCliStore(config: StoreConfig, logger?: Logger): Promise<Store> {
  try {
    await createHomeOfStore(config);
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

/**
 * A SQLite store in the Baton home (the default `.baton/baton.db`) that does not exist yet is
 * created inside a home made as the key path makes it (0700, with its `.gitignore`), whichever
 * of the two comes first.
 */
async function createHomeOfStore(config: StoreConfig): Promise<void> {
  const file = config.db;
  // URLs and in-memory stores have no folder.
  if (file === ':memory:' || file === 'memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return;
  if (resolve(dirname(file)) === config.home && !existsSync(config.home)) await ensureBatonHome(config.home);
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
