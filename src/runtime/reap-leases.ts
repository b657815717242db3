import type { RuntimeContext } from './runtime-context.js';
import { isDeadLocalOwner } from './worker-identity.js';

/** How many running runs one reaping pass inspects. */
const REAP_BATCH = 100;

/**
 * Expires the leases of running runs whose holder was a process on this machine that no longer
 * exists, so they can be claimed now rather than after their TTL. The update is fenced with
 * the dead holder's token: if anyone renewed or took the lease meanwhile, nothing changes.
 * Returns true when at least one lease was expired.
 */
export async function reapDeadLeases(context: RuntimeContext, runId?: string): Promise<boolean> {
  const candidates =
    runId === undefined
      ? (await context.store.listRuns({ status: ['running'], limit: REAP_BATCH })).items
      : [await context.store.getRun(runId)];
  let reaped = false;
  for (const run of candidates) {
    const lease = run?.lease;
    if (run?.status !== 'running' || !lease || lease.expiresAt <= Date.now()) continue;
    if (!isDeadLocalOwner(lease.owner)) continue;
    try {
      await context.store.updateRun(
        run.id,
        { lease: { ...lease, expiresAt: 0 } },
        { runId: run.id, token: lease.token },
      );
      reaped = true;
    } catch {
      // Fenced out: the lease changed hands meanwhile, which is what reaping wanted anyway.
    }
  }
  return reaped;
}
