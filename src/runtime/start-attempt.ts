import type { RunRecord } from '../store/run-store.js';

/**
 * The attempt number of a run's next start: the run's attempt when that attempt has not started
 * yet (first start, or after `retry`), else one more than the last started attempt (a takeover
 * after a crash or a lost lease counts as a new attempt). `resumed` when an earlier attempt
 * started. Read from the run record (`run.started` keeps `startedAttempt`), not the log. The
 * runtime and the plane (for a runner's `run.started`) count attempts by this one rule.
 */
export function startAttemptOf(run: Pick<RunRecord, 'attempt' | 'startedAttempt'>): {
  attempt: number;
  resumed: boolean;
} {
  const last = run.startedAttempt;
  return { attempt: last >= run.attempt ? last + 1 : run.attempt, resumed: last > 0 };
}
