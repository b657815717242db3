import { recheckChildren } from './child-runs.js';
import { expireApprovals } from './gate-decisions.js';
import { WAITING_OWNER } from './park-run.js';
import type { RuntimeContext } from './runtime-context.js';

/** Parked runs one page of the sweep reads. */
const SWEEP_PAGE = 200;

/**
 * Finds parked runs whose earliest approval expiry has passed (their lease, owned by nobody,
 * carries it: no log is read for the others) and records the expiries, which queues them again
 * so the model sees `approval_expired`; a run parked on its children whose re-check time passed
 * gets its ended children recorded. Returns true when it queued something.
 */
export async function sweepExpiredApprovals(context: RuntimeContext): Promise<boolean> {
  let expired = false;
  let cursor: string | undefined;
  do {
    const page = await context.store.listRuns({
      status: ['waiting'],
      limit: SWEEP_PAGE,
      ...(cursor !== undefined && { cursor }),
    });
    const now = Date.now();
    for (const run of page.items) {
      const lease = run.lease;
      if (lease?.owner !== WAITING_OWNER || lease.expiresAt > now) continue;
      if (await expireApprovals(context, run.sessionId, run.id)) expired = true;
      else if (await recheckChildren(context, run)) expired = true;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return expired;
}
