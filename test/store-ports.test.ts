import { sha256Hex } from '../src/core/hash.js';
import type { BlobStore } from '../src/store/blob-store.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import {
  blobStoreContract,
  runStoreContract,
  taskStoreContract,
  workerRegistryContract,
} from '../src/testing/contracts.js';

// Each port's suite runs on its own: against a backend that implements every port, and against
// an implementation of one port alone (a blob store that is nothing else).

/** A blob store and nothing more, as a single-concern implementation would be. */
class MapBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    this.#blobs.set(hash, Uint8Array.from(bytes));
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(hash);
    return bytes && Uint8Array.from(bytes);
  }
}

const memory = async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
};

runStoreContract('memory', memory);
blobStoreContract('memory', memory);
taskStoreContract('memory', memory);
workerRegistryContract('memory', memory);
blobStoreContract('map', async () => ({ store: new MapBlobStore(), cleanup: async () => undefined }));
