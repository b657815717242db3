import type { Fence } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../telemetry/logger.js';

/** Options of {@link keepLease}. */
export interface LeaseKeeperOptions {
  store: Store;
  fence: Fence;
  ttlMs: number;
  /** The run's active time so far, recorded with every renewal. */
  activeMs?: () => number;
  /** The lease is gone (taken over, or not renewed before it expired). */
  onLost: () => void;
  /** Someone asked to cancel the run (seen on the run record at renewal time). */
  onCancelRequested: () => void;
  /** Hears of every renewal that failed (the store down, say). */
  logger: Logger;
}

/**
 * Renews a run's lease every ttl/3 until stopped, recording the run's active time with it (so a
 * crash loses at most ttl/3 of it). A renewal the store refuses means another
 * worker holds the run; renewals that keep failing (database errors) until the TTL has passed
 * mean the lease may have been taken, so the work stops either way. Fencing in every commit
 * remains the guarantee; this only makes the stale worker stop sooner.
 */
export function keepLease(options: LeaseKeeperOptions): { stop(): void } {
  const { store, fence, ttlMs } = options;
  let renewedAt = Date.now();
  let busy = false;
  let stopped = false;
  const timer = setInterval(
    () => {
      if (busy || stopped) return;
      busy = true;
      void renew().finally(() => {
        busy = false;
      });
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );

  async function renew(): Promise<void> {
    try {
      const attemptedAt = Date.now();
      const activeMs = options.activeMs?.();
      if (!(await store.renewLease(fence, ttlMs, activeMs === undefined ? {} : { activeMs }))) return lose();
      renewedAt = attemptedAt;
      const run = await store.getRun(fence.runId);
      if (run?.cancelRequested && !stopped) options.onCancelRequested();
    } catch (error) {
      // Tolerated until the TTL has passed: the store may come back before anyone else can claim.
      options.logger.warn('lease renewal failed', { runId: fence.runId, error });
      if (Date.now() - renewedAt >= ttlMs) lose();
    }
  }

  function lose(): void {
    if (stopped) return;
    stop();
    options.onLost();
  }

  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }

  return { stop };
}
