/** The settled outcome of one fan-out item. */
export type FanOutResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Options of {@link fanOut}. */
export interface FanOutOptions {
  /** At most this many workers run at once (at least 1). */
  concurrency: number;
  /** Once aborted, no new item starts; items already started are awaited. */
  signal?: AbortSignal;
}

/**
 * Runs `work` over `items` with bounded concurrency and returns every outcome in input order.
 * It never rejects and never returns while a started item is still running: every worker it
 * started is drained first. Items not started because of an abort are reported as errors.
 */
export async function fanOut<I, T>(
  items: readonly I[],
  work: (item: I, index: number, signal: AbortSignal) => Promise<T>,
  options: FanOutOptions,
): Promise<FanOutResult<T>[]> {
  const signal = options.signal ?? new AbortController().signal;
  const results: FanOutResult<T>[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      if (signal.aborted) {
        results[index] = { ok: false, error: signal.reason };
        continue;
      }
      try {
        results[index] = { ok: true, value: await work(items[index] as I, index, signal) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  const limit = Number.isFinite(options.concurrency) ? Math.floor(options.concurrency) : 1;
  const lanes = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
