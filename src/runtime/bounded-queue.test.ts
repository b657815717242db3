import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('hands out pushed items in order, buffered or awaited', async () => {
    const queue = new BoundedQueue<number>(10);
    queue.push(1);
    const waiting = (async () => [await queue.next(), await queue.next()])();
    queue.push(2);
    expect(await waiting).toEqual([1, 2]);
    expect(queue.overflowed).toBe(false);
  });

  it('resolves undefined for a waiting reader once the signal aborts', async () => {
    const controller = new AbortController();
    const queue = new BoundedQueue<number>(10, controller.signal);
    const waiting = queue.next();
    controller.abort();
    expect(await waiting).toBeUndefined();
    queue.push(3);
    expect(await queue.next()).toBe(3);
    expect(await queue.next()).toBeUndefined();
  });

  it('holds at most its capacity: a push beyond it empties the queue and marks it overflowed for good', async () => {
    const controller = new AbortController();
    const queue = new BoundedQueue<number>(2, controller.signal);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue.overflowed).toBe(true);
    queue.push(4);
    const waiting = queue.next();
    controller.abort();
    expect(await waiting).toBeUndefined();
  });

  it('drops items from the front while a predicate holds', async () => {
    const queue = new BoundedQueue<number>(5);
    for (const item of [1, 2, 3, 1]) queue.push(item);
    queue.dropWhile((item) => item < 3);
    expect([await queue.next(), await queue.next()]).toEqual([3, 1]);
  });
});
