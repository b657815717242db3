import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/events.js';
import { eventStream } from './event-frames.js';

const delta = (text: string): StreamEvent => ({
  type: 'model.delta',
  sessionId: 's',
  runId: 'r',
  step: 0,
  delta: text,
});
const line = (text: string) => `${JSON.stringify(delta(text))}\n`;
const decoded = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

/** Yields the given events, then waits until its signal aborts. */
async function* eventsThenWait(events: StreamEvent[], signal: AbortSignal): AsyncGenerator<StreamEvent> {
  yield* events;
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('eventStream', () => {
  it('sends the events as NDJSON and closes when the iterator ends', async () => {
    const body = eventStream(async function* () {
      yield delta('a');
      yield delta('b');
    }, 'ndjson');
    expect(await new Response(body).text()).toBe(line('a') + line('b'));
  });

  it('coalesces the events already waiting into one chunk, and a later one into the next', async () => {
    let release: () => void = () => undefined;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reader = eventStream(async function* () {
      yield* [delta('a'), delta('b'), delta('c')];
      await later;
      yield delta('d');
    }, 'ndjson').getReader();
    expect(decoded((await reader.read()).value)).toBe(line('a') + line('b') + line('c'));
    release();
    expect(decoded((await reader.read()).value)).toBe(line('d'));
    expect((await reader.read()).done).toBe(true);
  });

  it('aborts the iteration signal when the reader cancels', async () => {
    let seen: AbortSignal | undefined;
    const reader = eventStream((signal) => {
      seen = signal;
      return eventsThenWait([delta('a')], signal);
    }, 'ndjson').getReader();
    await reader.read();
    await reader.cancel();
    expect(seen?.aborted).toBe(true);
  });

  it('ends cleanly when the outer signal aborts while waiting for an event', async () => {
    const outer = new AbortController();
    const reader = eventStream((signal) => eventsThenWait([], signal), 'ndjson', {
      signal: outer.signal,
    }).getReader();
    const pending = reader.read();
    outer.abort();
    expect((await pending).done).toBe(true);
  });

  it('interleaves SSE heartbeat comments while the iterator is quiet', async () => {
    const reader = eventStream((signal) => eventsThenWait([], signal), 'sse', { heartbeatMs: 5 }).getReader();
    expect(decoded((await reader.read()).value)).toBe(': heartbeat\n\n');
    await reader.cancel();
  });

  it('sends what it has, then errors the stream when the iterator fails on its own', async () => {
    const reader = eventStream(async function* () {
      yield delta('a');
      throw new Error('store unavailable');
    }, 'ndjson').getReader();
    const first = reader.read();
    const failed = reader.read();
    expect(decoded((await first).value)).toBe(line('a'));
    await expect(failed).rejects.toThrow('store unavailable');
  });
});
