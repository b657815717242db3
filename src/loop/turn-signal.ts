import type { TurnEnd } from './turn-end.js';

/**
 * The abort signal a turn hands to its model calls and tools: the caller's cancellation combined
 * with what is left of the agent's `timeoutMs` (after `spentMs` of earlier attempts),
 * remembering which of the two fired.
 */
export class TurnSignal {
  readonly signal: AbortSignal;
  private readonly timeout = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly cancel: AbortSignal | undefined,
    private readonly timeoutMs: number | undefined,
    spentMs = 0,
  ) {
    this.signal = cancel === undefined ? this.timeout.signal : AbortSignal.any([cancel, this.timeout.signal]);
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.timeout.abort(), Math.max(0, timeoutMs - spentMs));
    }
  }

  /** How the turn ends because of the signal, if it fired. Cancellation wins over the timeout. */
  interruption(): TurnEnd | undefined {
    if (this.cancel?.aborted) return { reason: 'cancelled' };
    if (this.timeout.signal.aborted) {
      return { reason: 'timeout', message: `the run exceeded its timeout of ${this.timeoutMs} ms` };
    }
    return undefined;
  }

  /** Stops the timeout timer. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
