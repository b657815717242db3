import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { storeContract } from '../src/testing/contracts.js';

storeContract('sqlite', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const store = new SqliteStore(join(directory, 'baton.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
