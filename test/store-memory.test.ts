import { MemoryStore } from '../src/index.js';
import { storeContract } from '../src/testing/index.js';

storeContract('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
