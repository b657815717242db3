/**
 * A run's active time while one worker executes it: what earlier attempts (on any worker)
 * recorded, plus the time since this worker claimed it. Recorded with each lease renewal and
 * each terminal commit, so `timeoutMs` bounds the sum over attempts even when workers crash.
 */
export class ActiveTime {
  readonly #before: number;
  readonly #since: number;
  readonly #now: () => number;

  constructor(before: number, now: () => number = Date.now) {
    this.#before = before;
    this.#now = now;
    this.#since = now();
  }

  /** Active milliseconds so far, rounded. */
  total(): number {
    return Math.round(this.#before + this.#now() - this.#since);
  }
}
