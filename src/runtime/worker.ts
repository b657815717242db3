import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.js';
import { StoreCorruptError } from '../store/store-corrupt.js';
import { withLogFields } from '../telemetry/logger.js';
import { executeClaim } from './execute-run.js';
import { checkLeaseTtl } from './lease-settings.js';
import { hasPendingWork } from './pending-work.js';
import { reapDeadLeases } from './reap-leases.js';
import type { RuntimeContext } from './runtime-context.js';
import { sweepExpiredApprovals } from './sweep-expired.js';
import type { ExecutionSettled, Worker, WorkerOptions } from './types.js';
import { newWorkerIdentity } from './worker-identity.js';
import { announcePresence } from './worker-presence.js';

/** How often an idle worker looks for work when not told otherwise. */
export const DEFAULT_POLL_INTERVAL_MS = 200;

/** How long the store may fail before a worker gives up (a supervisor restarts it). */
export const DEFAULT_MAX_STORE_OUTAGE_MS = 5 * 60_000;

const OUTAGE_BACKOFF_FIRST_MS = 100;
const OUTAGE_BACKOFF_MAX_MS = 5_000;
/** How often an idle worker looks for parked approvals past their expiry. */
const EXPIRY_SWEEP_INTERVAL_MS = 1_000;

/**
 * Starts `concurrency` claim-execute loops under one owner identity, announced in the store's
 * worker registry while it runs. Each loop claims a run this runtime serves (queued, or its
 * lease expired or its holder died on this machine) — never one whose agent it does not have —
 * executes it, and polls when there is nothing to claim. With `untilIdle` the worker finishes
 * once nothing it serves is runnable; `stop` hands in-flight runs back. A damaged database
 * stops it at once with `store_corrupt`.
 */
export function startWorker(context: RuntimeContext, options: WorkerOptions = {}): Worker {
  const owner = options.owner ?? newWorkerIdentity();
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UserError('invalid_concurrency', 'concurrency must be a positive integer');
  }
  const ttlMs = checkLeaseTtl(options.leaseTtlMs ?? context.leaseTtlMs, 'leaseTtlMs');
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxOutageMs = options.maxStoreOutageMs ?? DEFAULT_MAX_STORE_OUTAGE_MS;
  const stopper = new AbortController();
  // A stop ends a pause early; that abort is the point of the signal, not a failure.
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopper.signal }).catch(() => undefined);
  let inFlight = 0;
  /** When this worker next looks for approvals that expired while their runs were parked. */
  let nextSweepAt = 0;
  // Told to the runtime's logger unless the caller hears of them itself: an outage ridden out
  // in silence would leave an operator wondering why nothing runs.
  const onStoreError =
    options.onStoreError ??
    ((error: unknown) => context.logger.warn('store unavailable, retrying', { workerId: owner, error }));
  const presence = announcePresence(context, {
    owner,
    concurrency,
    ttlMs,
    runsInFlight: () => inFlight,
    onError: onStoreError,
  });

  /** One look for work: true when the loop should look again at once, false to poll later, 'idle' to finish. */
  async function lookForWork(): Promise<boolean | 'idle'> {
    const claimStartedAt = Date.now();
    const claim = await context.store.claimRun(owner, ttlMs, { filter: context.served.filter() });
    if (claim) {
      const executeAndFinish = async (): Promise<ExecutionSettled> => {
        inFlight += 1;
        const { settled } = await executeClaim(context, claim, {
          owner,
          ttlMs,
          claimStartedAt,
          signal: stopper.signal,
          ...(options.drainGraceMs !== undefined && { drainGraceMs: options.drainGraceMs }),
        }).finally(() => {
          inFlight -= 1;
        });
        await options.afterRun?.(claim.run, settled);
        return settled;
      };
      const settled = options.runScope
        ? await options.runScope(claim.run, executeAndFinish)
        : await executeAndFinish();
      options.onRunSettled?.(claim.run.id, settled);
      if (settled === 'unserved') await presence.beat();
      return true;
    }
    // Modules that queued runs recorded and that were never loaded may be servable now.
    if (await context.served.discover(context.store)) {
      await presence.beat();
      return true;
    }
    if (await reapDeadLeases(context)) return true;
    if (Date.now() >= nextSweepAt) {
      nextSweepAt = Date.now() + EXPIRY_SWEEP_INTERVAL_MS;
      if (await sweepExpiredApprovals(context)) return true;
    }
    if (options.untilIdle && !(await hasPendingWork(context))) return 'idle';
    return false;
  }

  async function loop(): Promise<void> {
    // A store outage (a lost database connection) is ridden out with backoff: in-flight runs
    // already stopped committing and their leases lapse, so nothing is corrupted meanwhile.
    let outageSince: number | undefined;
    let backoffMs = OUTAGE_BACKOFF_FIRST_MS;
    while (!stopper.signal.aborted) {
      let next: boolean | 'idle';
      try {
        next = await lookForWork();
        outageSince = undefined;
        backoffMs = OUTAGE_BACKOFF_FIRST_MS;
      } catch (error) {
        // A damaged database does not heal by waiting.
        if (error instanceof StoreCorruptError) throw error;
        if (stopper.signal.aborted) return;
        outageSince ??= Date.now();
        if (Date.now() - outageSince >= maxOutageMs) throw error;
        onStoreError(error);
        await pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, OUTAGE_BACKOFF_MAX_MS);
        continue;
      }
      if (next === 'idle') return;
      if (!next) await pause(pollIntervalMs);
    }
  }

  // Every line logged by the loops (and the runs they execute) names this worker.
  const loops = Array.from({ length: concurrency }, () =>
    withLogFields({ workerId: owner }, loop).catch((error: unknown) => {
      // One broken loop (the store went away) stops the others too, and `done` reports why.
      stopper.abort();
      throw error;
    }),
  );
  const done = Promise.all(loops).then(
    () => presence.stop(),
    async (error: unknown) => {
      await presence.stop();
      throw error;
    },
  );
  return {
    owner,
    done,
    async stop() {
      stopper.abort();
      // Stopping only waits for the loops; why they ended, if they failed, is `done`'s to report.
      await done.catch(() => undefined);
    },
  };
}
