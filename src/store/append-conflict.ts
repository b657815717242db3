import { ConflictError } from '../core/errors.js';

/** Why a conditional append wrote nothing (see `AppendOptions`). */
export type AppendConflictReason = 'head_moved' | 'run_status' | 'run_exists';

/**
 * A conditional append found its condition false and wrote nothing: the session's head moved
 * (`expectedHeadSeq`), the run left the required statuses (`requireRunStatus`), or the run to
 * create already exists (`createRun`). The caller re-reads and decides again.
 */
export class AppendConflictError extends ConflictError {
  readonly reason: AppendConflictReason;

  constructor(reason: AppendConflictReason, message: string) {
    super(message, 'append_conflict');
    this.reason = reason;
  }
}

/** The conflict for an append whose expected head is no longer the session's head. */
export function headMoved(
  sessionId: string,
  expected: number | null,
  actual: number | null,
): AppendConflictError {
  return new AppendConflictError(
    'head_moved',
    `session ${sessionId} is at seq ${String(actual)}, not ${String(expected)}`,
  );
}

/** The conflict for an append whose run is no longer in a required status. */
export function runStatusChanged(runId: string, status: string | undefined): AppendConflictError {
  return new AppendConflictError('run_status', `run ${runId} is ${status ?? 'missing'}`);
}

/** The conflict for an append whose run to create is already there. */
export function runExists(key: string | null, runId: string): AppendConflictError {
  return new AppendConflictError('run_exists', `a run with key ${String(key)} exists (not ${runId})`);
}
