// Public API of `baton/testing`: test helpers and contract suites. Every export here is public API.
export type { StoreUnderTest } from './store-contract.js';
export { storeContract } from './store-contract.js';
export { sandboxContract } from './sandbox-contract.js';
