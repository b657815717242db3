import { MemoryStore } from '../store/memory/memory-store.js';
import type { Store } from '../store/store.js';

/** The blob operations capture, restore and patches need: any store, or just its blob part. */
export type BlobStore = Pick<Store, 'putBlob' | 'getBlob'>;

let shared: BlobStore | undefined;

/**
 * The blob store `captureWorkspace` and `restoreWorkspace` use when the caller passes none: in
 * memory and shared by the process, so that a capture and a restore in one process pair up.
 * Durable runs always pass their run store instead.
 */
export function defaultBlobStore(): BlobStore {
  shared ??= new MemoryStore();
  return shared;
}
