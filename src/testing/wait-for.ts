import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep checking before failing, in ms (default 10 000: tests share loaded machines). */
  timeoutMs?: number;
  /** Pause between two checks, in ms (default 20). */
  intervalMs?: number;
  /**
   * What was awaited, for the timeout error: `timed out after 10000 ms waiting for <message>`.
   * A function is called at the deadline, so it can describe the state last seen.
   */
  message?: string | (() => string);
}

/** A value {@link waitFor} keeps waiting on. */
type NotYet = undefined | null | false;

/**
 * Calls `check` until it returns something other than `undefined`, `null` or `false`, and
 * resolves with that value; after `timeoutMs` it rejects with an error naming `message`. An
 * error thrown by `check` ends the wait at once (a process that died will not come back), so a
 * check that may fail while not ready should catch that itself. The one polling helper of
 * Baton's tests; exported from `baton-runtime/testing`.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, NotYet>> {
  const { timeoutMs = 10_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, NotYet>;
    if (Date.now() >= deadline) {
      const what = typeof options.message === 'function' ? options.message() : options.message;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? 'the condition'}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
