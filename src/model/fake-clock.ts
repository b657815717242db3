import { CancelledError } from '../core/errors.js';
import type { Clock } from './clock.js';

/** A {@link Clock} whose time only moves when it sleeps (or `advance` is called); records every sleep. */
export interface FakeClock extends Clock {
  /** Every `sleep` duration requested, in order. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** A fake clock starting at `start` (epoch ms): `sleep(ms)` advances time by `ms` at once. */
export function fakeClock(start = Date.UTC(2025, 0, 1)): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new CancelledError();
      sleeps.push(ms);
      now += ms;
    },
  };
}
