import { describe, expect, it } from 'vitest';
import { coalescingWait } from './flush-scheduler.js';

describe('coalescingWait', () => {
  it('does not delay a flush after a quick one (a small fan-out)', () => {
    expect(coalescingWait(0.4, 100, 100.1)).toBe(0);
  });

  it('waits until twice the last flush has passed since it ended, for the events to come', () => {
    expect(coalescingWait(3, 100, 101)).toBe(5);
  });

  it('never waits more than 10 ms after the last flush, however long it took', () => {
    expect(coalescingWait(30, 100, 100)).toBe(10);
  });

  it('does not wait once the window has passed (the last events came after a pause)', () => {
    expect(coalescingWait(3, 100, 120)).toBeLessThanOrEqual(0);
  });
});
