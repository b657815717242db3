import { EnvironmentError, errorMessage, isBatonError } from '../core/errors.js';
import { DEFAULT_DB_PATH, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/**
 * Opens the store named by `--db` (else `BATON_DB`, else `.baton/baton.db`). A driver or system
 * failure (an unwritable directory, a file that is not a database) becomes an
 * {@link EnvironmentError} naming the store, so every command reports it alike (exit 3).
 */
export async function openCliStore(db: string | undefined): Promise<Store> {
  try {
    return await openStore(db);
  } catch (error) {
    if (isBatonError(error)) throw error;
    // A URL's credentials never reach the terminal or a log.
    const spec = (db || process.env.BATON_DB || DEFAULT_DB_PATH).replace(/\/\/[^@/]*@/, '//***@');
    throw new EnvironmentError('store_unavailable', `cannot open the store ${spec}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** Opens the `--db` store, runs `work`, and closes the store however `work` ends. */
export async function withStore<T>(db: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
