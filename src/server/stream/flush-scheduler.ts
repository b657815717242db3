import { performance } from 'node:perf_hooks';
import { FrameBatches } from './frame-batch.js';

/** A reader with frames pending, written by the next shared flush. */
export interface Flushable {
  flush(batches: FrameBatches): void;
}

/** A flush shorter than this does not delay the next one: coalescing would save little. */
const COALESCE_AFTER_FLUSH_MS = 1;
/**
 * Past that, a flush starts at least this many times the last one's length after it ended, so
 * flushing takes at most a third of the process's time however many readers there are...
 */
const COALESCE_WINDOW_RATIO = 2;
/**
 * ...but never waits more than this after the last one ended: the latency coalescing may add.
 * It binds only past 5 ms flushes (hundreds of readers on a loaded machine), where a shorter
 * window left both this process and the readers busy with one write per event: with 500 readers
 * 10 ms gave 3.3 events per write against 2.0 at 6 ms, a third less CPU per copy, and no worse
 * a p99, whose queueing it relieves (docs/decisions.md).
 */
const MAX_COALESCE_WINDOW_MS = 10;

const dirty = new Set<Flushable>();
let flushScheduled = false;
/** The last flush's length and end (`performance.now()`), which set the next one's window. */
let lastFlushMs = 0;
let lastFlushEnd = 0;

/**
 * Flushes `reader` with every other reader that has frames pending, in one flush shared by all:
 * an event committed for 500 readers wakes 500 pumps in the same turn, and each then writes
 * once, after all of them have queued what this turn brought, and readers with the same frames
 * pending share their bytes (see {@link FrameBatches}). The flush is the next turn's
 * (`setImmediate`) unless the last one took long (see {@link coalescingWait}).
 */
export function scheduleFlush(reader: Flushable): void {
  dirty.add(reader);
  if (flushScheduled) return;
  flushScheduled = true;
  const wait = coalescingWait(lastFlushMs, lastFlushEnd, performance.now());
  if (wait > 0) setTimeout(flushDirty, wait);
  else setImmediate(flushDirty);
}

/**
 * How long, from `now`, the next flush waits after one of `lastFlushMs` that ended at
 * `lastFlushEnd`. A write to a socket is a syscall of several µs, most of a flush's cost, and
 * costs about the same for one event as for several: when a flush takes long (hundreds of
 * readers), waiting twice its length (at most {@link MAX_COALESCE_WINDOW_MS}) lets the events
 * committed meanwhile go out together, one write per reader for several events. The CPU per
 * delivered event falls as the fan-out grows, at the price of a few ms of latency where the
 * flush itself already costs as much; a small fan-out, with quick flushes, never waits.
 */
export function coalescingWait(lastFlushMs: number, lastFlushEnd: number, now: number): number {
  if (lastFlushMs < COALESCE_AFTER_FLUSH_MS) return 0;
  const window = Math.min(MAX_COALESCE_WINDOW_MS, lastFlushMs * COALESCE_WINDOW_RATIO);
  return lastFlushEnd + window - now;
}

function flushDirty(): void {
  const began = performance.now();
  flushScheduled = false;
  // A snapshot: a write's callbacks may queue bytes again, for the next flush.
  const readers = [...dirty];
  dirty.clear();
  const batches = new FrameBatches();
  for (const reader of readers) reader.flush(batches);
  lastFlushEnd = performance.now();
  lastFlushMs = lastFlushEnd - began;
}
