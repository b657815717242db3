import { FrameBatches } from './frame-batch.js';

/** A reader with frames pending, written by the next shared flush. */
export interface Flushable {
  flush(batches: FrameBatches): void;
}

const dirty = new Set<Flushable>();
let flushScheduled = false;

/**
 * Flushes `reader` with every other reader that has frames pending, in one `setImmediate` per
 * turn shared by all, rather than one per reader per event: an event committed for 500 readers
 * wakes 500 pumps in the same turn, and each then writes once, after all of them have queued
 * what this turn brought, and readers with the same frames pending share their bytes (see
 * {@link FrameBatches}).
 */
export function scheduleFlush(reader: Flushable): void {
  dirty.add(reader);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushDirty);
}

function flushDirty(): void {
  flushScheduled = false;
  // A snapshot: a write's callbacks may queue bytes again, for the next flush.
  const readers = [...dirty];
  dirty.clear();
  const batches = new FrameBatches();
  for (const reader of readers) reader.flush(batches);
}
