import { performance } from 'node:perf_hooks';

/** What {@link measureStall} returns: the work's value and the longest event-loop stall seen meanwhile. */
export interface Stalled<T> {
  value: T;
  /** The longest time, in ms, a timer due every `probeMs` waited beyond its due time. */
  stallMs: number;
}

/**
 * Runs `work` while a timer probe ticks every `probeMs`: a tick that comes late by N ms means
 * the event loop was blocked for N ms (lease renewals and every other run would have waited).
 */
export async function measureStall<T>(work: () => Promise<T>, probeMs = 5): Promise<Stalled<T>> {
  let longest = 0;
  let last = performance.now();
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last - probeMs);
    last = now;
  };
  const probe = setInterval(tick, probeMs);
  try {
    const value = await work();
    // A block just before the work settled shows only here: no tick ran after it.
    tick();
    return { value, stallMs: Math.max(0, longest) };
  } finally {
    clearInterval(probe);
  }
}
