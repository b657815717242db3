// The SQLite store's public pieces; `src/index.ts` re-exports what is public API.
export { sqliteCommitFloor } from './commit-floor.js';
export type { SqliteStoreOptions, SqliteSynchronous } from './sqlite-connection.js';
export { SqliteStore } from './sqlite-store.js';
export type { BackgroundCheckpoints } from './wal-checkpointer.js';
