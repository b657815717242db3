import type { BlobStore } from './blob-store.js';
import type { MarkStore } from './mark-store.js';
import type { RunStore } from './run-store.js';
import type { TaskStore } from './task-store.js';
import type { WorkerRegistry } from './worker-registry.js';

/**
 * A whole store backend: every port Baton's parts need, split by concern — durable runs
 * ({@link RunStore}), blobs ({@link BlobStore}), delegated tasks ({@link TaskStore}) and the
 * registry of live workers ({@link WorkerRegistry}), small durable marks ({@link MarkStore}). One backend class (memory, SQLite,
 * Postgres) implements them all and passes each port's contract suite
 * (`baton-runtime/testing/contracts`); a part that needs one concern takes only its port.
 * Later concerns (approvals, schedules, eval results) join as ports of their own.
 */
export interface Store extends RunStore, BlobStore, TaskStore, WorkerRegistry, MarkStore {
  /** `sqlite`, `postgres` or `memory`. */
  readonly kind: string;
  close(): Promise<void>;
}
