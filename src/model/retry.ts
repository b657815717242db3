import type { ErrorBody } from '../core/errors.js';
import { CancelledError, isBatonError, ModelCallError } from '../core/errors.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { ClassifiedError, ErrorClass } from './classify-error.js';
import { classifyModelError } from './classify-error.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

export type { RetryPolicy };

/**
 * The default policy: three attempts within five minutes, waits of at most 30 s, long retries
 * fail; an attempt fails after 60 s without a first chunk or 60 s of silence between chunks.
 * Five minutes, so that the budget still covers a retry after a hung attempt (docs/decisions.md).
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  maxActiveElapsedMs: 300_000,
  maxActiveDelayMs: 30_000,
  initialDelayMs: 1_000,
  backoffFactor: 2,
  jitter: 0.2,
  longRetry: 'error',
  firstByteTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
});

/** The result of a retried call: its value, or a deferral until `retryAt` (epoch ms). */
export type RetryResult<T> = { ok: true; value: T } | { ok: false; retryAt: number; error: ErrorBody };

/** Options of {@link withRetry}. */
export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait for another attempt (the loop records it as `model.retried`). */
  onRetry?: (retry: RetryNotice) => void | Promise<void>;
}

/** One retry about to happen: the attempt it will be, how long until then, and why. */
export interface RetryNotice {
  /** The number of the attempt made after the wait (2 for the first retry). */
  attempt: number;
  /** The policy's attempts in all, so a reader can say `attempt 2 of 3`. */
  maxAttempts: number;
  delayMs: number;
  /** Why the last attempt failed, in words: `rate limited`, `server error (...)`, ... */
  reason: string;
}

const REASONS: Readonly<Record<ErrorClass, string>> = {
  network: 'network error',
  timeout: 'timed out',
  rate_limit: 'rate limited',
  server: 'server error',
  client: 'request rejected',
  unknown: 'error',
};

/** A retryable failure in words, with the provider's first line for all but rate limits. */
function retryReason(failure: ClassifiedError): string {
  const detail = failure.message.split('\n')[0]?.slice(0, 200);
  return failure.errorClass === 'rate_limit' || !detail
    ? REASONS[failure.errorClass]
    : `${REASONS[failure.errorClass]} (${detail})`;
}

function backoffDelay(policy: RetryPolicy, failures: number, random: () => number): number {
  const base = policy.initialDelayMs * policy.backoffFactor ** (failures - 1);
  return Math.min(base * (1 - policy.jitter * random()), policy.maxActiveDelayMs);
}

/**
 * Runs `call` under the retry policy. Retryable failures (network, timeout, rate limit, 5xx)
 * are retried with exponential backoff and jitter, honouring `Retry-After`; others and the last
 * failure are thrown as `ModelCallError` (Baton errors such as `script_exhausted` unchanged).
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<RetryResult<T>> {
  const startedAt = (options.clock ?? systemClock).now();
  // The first attempt nearly always succeeds: the policy is only read once it fails.
  try {
    return { ok: true, value: await call(1) };
  } catch (error) {
    return retryAfterFailure(call, options, startedAt, error);
  }
}

/** The attempts after a failed first one (made at `startedAt`): wait, call again, until done. */
async function retryAfterFailure<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
  startedAt: number,
  firstError: unknown,
): Promise<RetryResult<T>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  let error = firstError;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw new CancelledError();
    const failure = classifyModelError(error, clock.now());
    const giveUp = (reason: string): never => {
      // Deterministic Baton errors (a script running out) keep their own type and code.
      if (!failure.retryable && isBatonError(error)) throw error;
      throw new ModelCallError(failure.code, `${failure.message}${reason}`, {
        retryable: failure.retryable,
        cause: error,
      });
    };
    if (!failure.retryable) return giveUp('');
    if (attempt >= policy.maxAttempts) return giveUp(` (gave up after ${attempt} attempts)`);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxActiveDelayMs) {
      if (policy.longRetry === 'defer') {
        return {
          ok: false,
          retryAt: clock.now() + failure.retryAfterMs,
          error: { code: failure.code, message: failure.message },
        };
      }
      return giveUp(` (the server asked to retry in ${Math.ceil(failure.retryAfterMs / 1000)} s)`);
    }
    const delay = failure.retryAfterMs ?? backoffDelay(policy, attempt, random);
    if (clock.now() + delay - startedAt > policy.maxActiveElapsedMs) {
      return giveUp(` (gave up after ${attempt} attempts in ${clock.now() - startedAt} ms)`);
    }
    await options.onRetry?.({
      attempt: attempt + 1,
      maxAttempts: policy.maxAttempts,
      delayMs: Math.round(delay),
      reason: retryReason(failure),
    });
    await clock.sleep(delay, options.signal);
    try {
      return { ok: true, value: await call(attempt + 1) };
    } catch (next) {
      error = next;
    }
  }
}
