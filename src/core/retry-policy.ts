/**
 * How model calls are retried and how long one attempt may take; the
 * defaults are `DEFAULT_RETRY_POLICY` in `model/retry.ts`. An agent's `retry` and the runtime's
 * `retry` option override them field by field, the agent's winning.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Give up once this much time has passed since the first attempt (waiting and hung attempts included). */
  maxActiveElapsedMs: number;
  /** The longest single wait this process sits through; a longer `Retry-After` is a long retry. */
  maxActiveDelayMs: number;
  /** Backoff before the second attempt; doubled (times `backoffFactor`) for each further one. */
  initialDelayMs: number;
  backoffFactor: number;
  /** Fraction of each backoff delay randomised away (0 = none, 1 = full jitter). */
  jitter: number;
  /** What a `Retry-After` beyond `maxActiveDelayMs` does: fail now, or defer the run until then. */
  longRetry: 'error' | 'defer';
  /** An attempt that has streamed nothing after this long fails as a retryable `model_timeout`. */
  firstByteTimeoutMs: number;
  /** An attempt whose stream goes quiet this long between two chunks fails as a retryable `model_timeout`. */
  idleTimeoutMs: number;
}
