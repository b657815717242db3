import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/**
 * Opens the store named by `--db` (else `BATON_DB`, else `.baton/baton.db`), runs `work`, and
 * closes the store however `work` ends.
 */
export async function withStore<T>(db: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
