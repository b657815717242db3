import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/events.js';
import { eventFrames } from './event-frames.js';

const delta = (text: string): StreamEvent => ({
  type: 'model.delta',
  sessionId: 's',
  runId: 'r',
  step: 0,
  delta: text,
});

/** Yields the given events, then waits until its signal aborts. */
async function* eventsThenWait(events: StreamEvent[], signal: AbortSignal): AsyncGenerator<StreamEvent> {
  yield* events;
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('eventFrames', () => {
  it('passes events through and closes when the iterator ends', async () => {
    const frames = eventFrames(async function* () {
      yield delta('a');
      yield delta('b');
    });
    const reader = frames.getReader();
    expect((await reader.read()).value).toEqual(delta('a'));
    expect((await reader.read()).value).toEqual(delta('b'));
    expect((await reader.read()).done).toBe(true);
  });

  it('aborts the iteration signal when the reader cancels', async () => {
    let seen: AbortSignal | undefined;
    const frames = eventFrames((signal) => {
      seen = signal;
      return eventsThenWait([delta('a')], signal);
    });
    const reader = frames.getReader();
    await reader.read();
    await reader.cancel();
    expect(seen?.aborted).toBe(true);
  });

  it('ends cleanly when the outer signal aborts while waiting for an event', async () => {
    const outer = new AbortController();
    const frames = eventFrames((signal) => eventsThenWait([], signal), { signal: outer.signal });
    const reader = frames.getReader();
    const pending = reader.read();
    outer.abort();
    expect((await pending).done).toBe(true);
  });

  it('interleaves heartbeat frames while the iterator is quiet', async () => {
    const frames = eventFrames((signal) => eventsThenWait([], signal), { heartbeatMs: 5 });
    const reader = frames.getReader();
    expect((await reader.read()).value).toEqual({ type: 'heartbeat' });
    await reader.cancel();
  });

  it('errors the stream when the iterator fails on its own', async () => {
    const frames = eventFrames(async function* () {
      yield* [];
      throw new Error('store unavailable');
    });
    await expect(frames.getReader().read()).rejects.toThrow('store unavailable');
  });
});
