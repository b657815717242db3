// Public API of `baton-runtime/testing/contracts`: the contract suites every store port and
// sandbox implementation runs. They register vitest `describe`/`it` blocks, so vitest (an
// optional peer dependency) must be installed. Every export here is public API, pinned by
// test/public-api.test.ts.
export { sandboxContract } from './sandbox-contract.js';
export type { PortFactory, PortUnderTest, StoreUnderTest } from './store-contract.js';
export {
  blobStoreContract,
  markStoreContract,
  runStoreContract,
  storeContract,
  taskStoreContract,
  workerRegistryContract,
} from './store-contract.js';
