import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('hands out pushed items in order, buffered or awaited', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const waiting = (async () => [await queue.next(), await queue.next()])();
    queue.push(2);
    expect(await waiting).toEqual([1, 2]);
  });

  it('resolves undefined for a waiting reader once the signal aborts', async () => {
    const queue = new AsyncQueue<number>();
    const controller = new AbortController();
    const waiting = queue.next(controller.signal);
    controller.abort();
    expect(await waiting).toBeUndefined();
    queue.push(3);
    expect(await queue.next()).toBe(3);
  });
});
