import type { ErrorBody } from '../core/errors.js';
import type { Usage } from '../core/events.js';
import type { Waiting } from './run-tool-calls.js';
import type { LimitReason } from './stop-conditions.js';
import type { TurnOutcome } from './types.js';

/** Every way a turn can end, in one place. */
export type TurnEnd =
  | { reason: 'answered'; text: string }
  | { reason: 'cancelled' }
  | { reason: 'deferred'; retryAt: number; error: ErrorBody }
  /** The model call failed after retries, or the turn could not be set up (bad model, bad agent). */
  | { reason: 'error'; error: ErrorBody }
  | { reason: LimitReason; message: string }
  /** A tool call of the step waits for a decision or an answer; the step resumes once they are in. */
  | { reason: 'waiting'; waiting: Waiting };

/** Maps a turn end to the outcome the runtime records. */
export function toOutcome(end: TurnEnd, usage: Usage, steps: number): TurnOutcome {
  switch (end.reason) {
    case 'answered':
      return { status: 'succeeded', text: end.text, usage, steps };
    case 'cancelled':
      return { status: 'cancelled', usage, steps };
    case 'deferred':
      return { status: 'deferred', retryAt: end.retryAt, error: end.error, usage, steps };
    case 'waiting':
      return { status: 'waiting', waiting: end.waiting, usage, steps };
    case 'error':
      return { status: 'failed', error: end.error, usage, steps };
    default:
      return { status: 'failed', error: { code: end.reason, message: end.message }, usage, steps };
  }
}
