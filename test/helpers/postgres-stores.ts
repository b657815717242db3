import { afterAll } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, schemaUrl, uniqueSchema } from './postgres.js';

/**
 * Stores on one schema of their own for a test file: `open()` opens one more (a second store is
 * a second process to the first: its own caches and connections); all are closed and the
 * schema dropped after the file's tests.
 */
export function postgresStores(name: string): { open(): Promise<Store> } {
  const schema = uniqueSchema(name);
  const stores: Store[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await dropSchema(schema);
  });
  return {
    async open() {
      const store = await openPostgresStore(schemaUrl(schema));
      stores.push(store);
      return store;
    },
  };
}
