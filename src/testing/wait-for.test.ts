import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first value that is not undefined, null or false', async () => {
    let calls = 0;
    const values = [undefined, null, false, 0, 'late'];
    const value = await waitFor(() => values[calls++], { intervalMs: 1 });
    expect(value).toBe(0);
    expect(calls).toBe(4);
  });

  it('awaits an asynchronous check', async () => {
    let calls = 0;
    expect(await waitFor(async () => ++calls === 3, { intervalMs: 1 })).toBe(true);
  });

  it('fails at the deadline with the message, computed then when it is a function', async () => {
    let seen = 0;
    const started = Date.now();
    await expect(
      waitFor(
        () => {
          seen += 1;
          return false;
        },
        {
          timeoutMs: 60,
          intervalMs: 5,
          message: () => `checked ${seen} times`,
        },
      ),
    ).rejects.toThrow(/^timed out after 60 ms waiting for checked \d+ times$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(seen).toBeGreaterThan(2);
    await expect(waitFor(() => undefined, { timeoutMs: 0, message: 'the file' })).rejects.toThrow(
      'timed out after 0 ms waiting for the file',
    );
  });

  it('stops at once when the check throws', async () => {
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls += 1;
          throw new Error('the process exited');
        },
        { timeoutMs: 10_000 },
      ),
    ).rejects.toThrow('the process exited');
    expect(calls).toBe(1);
  });
});
