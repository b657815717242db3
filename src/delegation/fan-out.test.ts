import { describe, expect, it } from 'vitest';
import { fanOut } from './fan-out.js';

describe('fanOut', () => {
  it('never runs more than the concurrency limit at once and keeps input order', async () => {
    let active = 0;
    let peak = 0;
    const results = await fanOut(
      [5, 1, 4, 2, 3],
      async (item) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        active -= 1;
        return item * 10;
      },
      { concurrency: 2 },
    );
    expect(peak).toBe(2);
    expect(results).toEqual([50, 10, 40, 20, 30].map((value) => ({ ok: true, value })));
  });

  it('reports a failing item as an error without stopping the others', async () => {
    const results = await fanOut(
      ['a', 'b'],
      async (item) => {
        if (item === 'a') throw new Error('boom');
        return item;
      },
      { concurrency: 2 },
    );
    expect(results[0]).toMatchObject({ ok: false });
    expect(results[1]).toEqual({ ok: true, value: 'b' });
  });

  it('starts nothing new after an abort but drains the items already running', async () => {
    const controller = new AbortController();
    const finished: number[] = [];
    const results = await fanOut(
      [0, 1, 2, 3],
      async (item) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (item === 0) controller.abort(new Error('stop'));
        finished.push(item);
        return item;
      },
      { concurrency: 2, signal: controller.signal },
    );
    expect(finished.sort()).toEqual([0, 1]);
    expect(results.map((result) => result.ok)).toEqual([true, true, false, false]);
  });
});
