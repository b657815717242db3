import type { AppendOptions, Fence, RunPatch } from '../run-store.js';

/** Ended lease tokens remembered; the oldest are forgotten beyond this (a miss costs one statement). */
const MAX_REMEMBERED = 10_000;

/**
 * Lease tokens this process saw end: a commit of its own, fenced by the token, replaced the
 * run's lease (a terminal event clears it, a hand-back queues the run without one). A token is
 * a fresh secret per claim and only a write fenced by that same token ever sets it again, so
 * once replaced it can never match again: a fenced write with it is known to be fenced out
 * without asking the database. That spares a run's hand-back after its terminal event (the
 * active-time update and the lease release) two statements that could only do nothing.
 */
export class EndedLeases {
  private readonly ended = new Set<string>();

  /** Notes the lease a committed append ended, if it ended its own fence's lease. */
  noteCommitted(options: Pick<AppendOptions, 'fence' | 'runId' | 'runPatch'>): void {
    if (options.fence && options.runPatch) this.noteUpdated(options.runId, options.runPatch, options.fence);
  }

  /** Notes the lease a committed run update ended, if it ended its own fence's lease. */
  noteUpdated(runId: string, patch: RunPatch, fence: Fence | undefined): void {
    if (!fence || fence.runId !== runId || patch.lease === undefined) return;
    if (patch.lease !== null && patch.lease.token === fence.token) return;
    this.ended.add(key(fence));
    if (this.ended.size > MAX_REMEMBERED) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  /** True when this fence's lease is known to have ended (a write fenced by it changes nothing). */
  hasEnded(fence: Fence): boolean {
    return this.ended.has(key(fence));
  }
}

function key(fence: Fence): string {
  return `${fence.runId} ${fence.token}`;
}
