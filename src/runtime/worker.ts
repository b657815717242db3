import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.js';
import { executeClaim } from './execute-run.js';
import { checkLeaseTtl } from './lease-settings.js';
import { reapDeadLeases } from './reap-leases.js';
import type { RuntimeContext } from './runtime-context.js';
import type { Worker, WorkerOptions } from './types.js';
import { newWorkerIdentity } from './worker-identity.js';

/** How often an idle worker looks for work when not told otherwise. */
export const DEFAULT_POLL_INTERVAL_MS = 200;

/**
 * Starts `concurrency` claim-execute loops under one owner identity. Each loop claims a
 * runnable run (queued, or its lease expired or its holder died on this machine), executes
 * it, and polls when there is nothing to claim. With `untilIdle` the worker finishes once no
 * run is queued or running anywhere in the store; `stop` hands in-flight runs back.
 */
export function startWorker(context: RuntimeContext, options: WorkerOptions = {}): Worker {
  const owner = options.owner ?? newWorkerIdentity();
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UserError('invalid_concurrency', 'concurrency must be a positive integer');
  }
  const ttlMs = checkLeaseTtl(options.leaseTtlMs ?? context.leaseTtlMs, 'leaseTtlMs');
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const stopper = new AbortController();

  async function loop(): Promise<void> {
    while (!stopper.signal.aborted) {
      const claim = await context.store.claimRun(owner, ttlMs);
      if (claim) {
        const settled = await executeClaim(context, claim, { owner, ttlMs, signal: stopper.signal });
        options.onRunSettled?.(claim.run.id, settled);
        continue;
      }
      if (await reapDeadLeases(context)) continue;
      if (options.untilIdle && !(await hasPendingRuns(context))) return;
      await sleep(pollIntervalMs, undefined, { signal: stopper.signal }).catch(() => undefined);
    }
  }

  const loops = Array.from({ length: concurrency }, () =>
    loop().catch((error: unknown) => {
      // One broken loop (the store went away) stops the others too, and `done` reports why.
      stopper.abort();
      throw error;
    }),
  );
  const done = Promise.all(loops).then(() => undefined);
  return {
    owner,
    done,
    async stop() {
      stopper.abort();
      await done.catch(() => undefined);
    },
  };
}

/** True while any run in the store is queued or running (ours or another worker's). */
async function hasPendingRuns(context: RuntimeContext): Promise<boolean> {
  const { items } = await context.store.listRuns({ status: ['queued', 'running'], limit: 1 });
  return items.length > 0;
}
