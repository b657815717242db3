import { APICallError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { ModelBehaviorError, ModelCallError } from '../core/errors.js';
import { fakeClock } from './fake-clock.js';
import { DEFAULT_RETRY_POLICY, withRetry } from './retry.js';

function apiError(statusCode: number | undefined, headers?: Record<string, string>): APICallError {
  return new APICallError({
    message: `HTTP ${statusCode ?? 'network'}`,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode === undefined ? { isRetryable: true } : { statusCode }),
    ...(headers === undefined ? {} : { responseHeaders: headers }),
  });
}

/** A call that fails with the given errors in turn, then returns 'ok'. */
function failing(...errors: unknown[]): { call: () => Promise<string>; attempts: () => number } {
  let attempts = 0;
  return {
    attempts: () => attempts,
    call: async () => {
      const error = errors[attempts];
      attempts += 1;
      if (error !== undefined) throw error;
      return 'ok';
    },
  };
}

const noJitter = { random: () => 0 };

describe('DEFAULT_RETRY_POLICY', () => {
  it('bounds each attempt to 60 s before the first chunk and 60 s between chunks, within a 5 min budget', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({
      firstByteTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      maxAttempts: 3,
      maxActiveElapsedMs: 300_000,
    });
  });
});

describe('withRetry', () => {
  it('retries 5xx, network and timeout errors with exponential backoff', async () => {
    const clock = fakeClock();
    const script = failing(apiError(503), apiError(undefined), apiError(408));
    const result = await withRetry(script.call, {
      clock,
      ...noJitter,
      policy: { maxAttempts: 4, initialDelayMs: 100 },
    });
    expect(result).toEqual({ ok: true, value: 'ok' });
    expect(script.attempts()).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('applies jitter below the backoff delay', async () => {
    const clock = fakeClock();
    const script = failing(apiError(500));
    await withRetry(script.call, { clock, random: () => 0.5, policy: { initialDelayMs: 1000, jitter: 0.2 } });
    expect(clock.sleeps).toEqual([900]);
  });

  it('does not retry a 4xx error and reports it as a ModelCallError', async () => {
    const clock = fakeClock();
    const script = failing(apiError(400));
    const failure = await withRetry(script.call, { clock }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({ code: 'model_request_rejected', retryable: false });
    expect(script.attempts()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('rethrows deterministic Baton errors such as script_exhausted unchanged', async () => {
    const error = new ModelBehaviorError('script_exhausted', 'past the script');
    const failure = await withRetry(failing(error).call, { clock: fakeClock() }).catch(
      (thrown: unknown) => thrown,
    );
    expect(failure).toBe(error);
  });

  it('gives up after maxAttempts with the last error code', async () => {
    const clock = fakeClock();
    const script = failing(apiError(500), apiError(502), apiError(503));
    const failure = await withRetry(script.call, { clock, ...noJitter, policy: { maxAttempts: 3 } }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'model_server_error' });
    expect((failure as Error).message).toContain('gave up after 3 attempts');
    expect(script.attempts()).toBe(3);
  });

  it('honours Retry-After in seconds instead of the backoff delay', async () => {
    const clock = fakeClock();
    const script = failing(apiError(429, { 'Retry-After': '7' }));
    await withRetry(script.call, { clock, ...noJitter });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const clock = fakeClock(Date.UTC(2025, 0, 1, 12, 0, 0));
    const script = failing(
      apiError(429, { 'retry-after': new Date(Date.UTC(2025, 0, 1, 12, 0, 5)).toUTCString() }),
    );
    await withRetry(script.call, { clock, ...noJitter });
    expect(clock.sleeps).toEqual([5000]);
  });

  it('honours retry-after-ms', async () => {
    const clock = fakeClock();
    await withRetry(failing(apiError(429, { 'retry-after-ms': '250' })).call, { clock, ...noJitter });
    expect(clock.sleeps).toEqual([250]);
  });

  it("fails at once on a Retry-After beyond maxActiveDelayMs when longRetry is 'error'", async () => {
    const clock = fakeClock();
    const script = failing(apiError(429, { 'retry-after': '120' }));
    const failure = await withRetry(script.call, {
      clock,
      policy: { maxActiveDelayMs: 30_000, longRetry: 'error' },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'rate_limited' });
    expect(clock.sleeps).toEqual([]);
  });

  it("defers until the Retry-After time when longRetry is 'defer'", async () => {
    const clock = fakeClock();
    const script = failing(apiError(429, { 'retry-after': '120' }));
    const result = await withRetry(script.call, {
      clock,
      policy: { maxActiveDelayMs: 30_000, longRetry: 'defer' },
    });
    expect(result).toMatchObject({
      ok: false,
      retryAt: clock.now() + 120_000,
      error: { code: 'rate_limited' },
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up when the next wait would pass maxActiveElapsedMs', async () => {
    const clock = fakeClock();
    const script = failing(apiError(500), apiError(500), apiError(500));
    const failure = await withRetry(script.call, {
      clock,
      ...noJitter,
      policy: { maxAttempts: 10, initialDelayMs: 1000, maxActiveElapsedMs: 2500 },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'model_server_error' });
    expect(clock.sleeps).toEqual([1000]);
    expect(script.attempts()).toBe(2);
  });

  it('caps each backoff wait at maxActiveDelayMs', async () => {
    const clock = fakeClock();
    const script = failing(apiError(500), apiError(500));
    await withRetry(script.call, {
      clock,
      ...noJitter,
      policy: { initialDelayMs: 5000, maxActiveDelayMs: 6000, maxActiveElapsedMs: 60_000 },
    });
    expect(clock.sleeps).toEqual([5000, 6000]);
  });

  it('stops retrying once the signal is aborted', async () => {
    const controller = new AbortController();
    const call = async (): Promise<string> => {
      controller.abort();
      throw apiError(500);
    };
    const failure = await withRetry(call, { clock: fakeClock(), signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'cancelled' });
  });

  it('classifies a refused connection as a retryable network error', async () => {
    const clock = fakeClock();
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    const result = await withRetry(failing(refused).call, { clock, ...noJitter });
    expect(result).toEqual({ ok: true, value: 'ok' });
    expect(clock.sleeps).toHaveLength(1);
  });
});
