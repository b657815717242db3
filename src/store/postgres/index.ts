// Public API of `baton-runtime/postgres`: the store, its options and its typed errors. Every
// export here is public API, pinned by test/public-api.test.ts.
export type { PostgresStoreOptions } from './config.js';
export type { PostgresErrorCode } from './errors.js';
export { PostgresStoreError } from './errors.js';
export { openPostgresStore } from './open-postgres-store.js';
export { PostgresStore } from './postgres-store.js';
