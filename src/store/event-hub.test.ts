import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../core/events.js';
import { sealEvent } from '../core/events.js';
import { EventHub } from './event-hub.js';

function event(sessionId: string, seq: number): BatonEvent {
  const head = seq === 0 ? undefined : { seq: seq - 1, hash: '0'.repeat(64) };
  return sealEvent(head, {
    sessionId,
    runId: 'run',
    ts: '2024-01-01T00:00:00.000Z',
    type: 'step.started',
    data: { step: seq },
  });
}

describe('EventHub', () => {
  it('reports when the first listener arrives and the last one leaves', () => {
    const changes: boolean[] = [];
    const hub = new EventHub({ onActiveChange: (active) => changes.push(active) });
    const first = hub.subscribe('a', () => {});
    const second = hub.subscribe('*', () => {});
    first();
    first();
    expect(hub.active).toBe(true);
    second();
    expect(changes).toEqual([true, false]);
    expect(hub.active).toBe(false);
  });

  it('keeps delivering to the other listeners when one throws', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    hub.subscribe('a', () => {
      throw new Error('listener bug');
    });
    hub.subscribe('a', (delivered) => seen.push(`a:${delivered.seq}`));
    hub.subscribe('*', (delivered) => seen.push(`*:${delivered.sessionId}`));
    expect(() => hub.publish([event('a', 0), event('b', 0)])).not.toThrow();
    expect(seen).toEqual(['a:0', '*:a', '*:b']);
  });

  it('treats the same function subscribed twice as two subscriptions', () => {
    const hub = new EventHub();
    const seen: number[] = [];
    const listener = (delivered: BatonEvent) => seen.push(delivered.seq);
    const unsubscribe = hub.subscribe('a', listener);
    hub.subscribe('a', listener);
    unsubscribe();
    hub.publish([event('a', 0)]);
    expect(seen).toEqual([0]);
  });
});
