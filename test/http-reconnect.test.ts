import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BatonEvent, StreamEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import type { Runtime } from '../src/runtime/types.js';
import { createApp } from '../src/server/app.js';
import type { RunningServer } from '../src/server/serve.js';
import { serve } from '../src/server/serve.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer, tickerAgent } from './helpers/http-server.js';

/** Reads a streaming body frame by frame (`\n` for NDJSON, a blank line for SSE). */
async function* frames(response: Response, separator: string): AsyncGenerator<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      pending += decoder.decode(next.value, { stream: true });
      let end = pending.indexOf(separator);
      while (end >= 0) {
        yield pending.slice(0, end);
        pending = pending.slice(end + separator.length);
        end = pending.indexOf(separator);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const ndjsonEvent = (line: string) => JSON.parse(line) as StreamEvent;
const sseEvent = (frame: string): StreamEvent | undefined => {
  const data = frame.split('\n').find((line) => line.startsWith('data: '));
  return data === undefined ? undefined : (JSON.parse(data.slice('data: '.length)) as StreamEvent);
};

describe('reconnecting to a session stream mid-run', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ agents: [tickerAgent(30, 3)], workers: 0 });
  });

  afterAll(async () => {
    await server.close();
  });

  /** Starts a ticker session; the run executes once the first reader has attached. */
  async function startTicker(): Promise<{ sessionId: string; execute: () => Promise<unknown> }> {
    const { sessionId, runId } = await server.client.startSession({ agent: 'ticker', message: 'count' });
    let execution: Promise<unknown> | undefined;
    return { sessionId, execute: () => (execution ??= server.runtime.execute(runId)) };
  }

  it('resumes NDJSON with from = last seq + 1 with no gap and no repeat', async () => {
    const { sessionId, execute } = await startTicker();
    const received: BatonEvent[] = [];
    const firstAbort = new AbortController();
    const first = await fetch(`${server.url}/v1/sessions/${sessionId}/stream`, { signal: firstAbort.signal });
    for await (const line of frames(first, '\n')) {
      const event = ndjsonEvent(line);
      void execute();
      if (event.type !== 'model.delta') received.push(event);
      if (received.length === 12) break;
    }
    firstAbort.abort();
    const from = (received.at(-1)?.seq ?? 0) + 1;
    const second = await fetch(`${server.url}/v1/sessions/${sessionId}/stream?from=${from}`);
    for await (const line of frames(second, '\n')) {
      const event = ndjsonEvent(line);
      if (event.type !== 'model.delta') received.push(event);
    }
    await execute();
    const full = await server.store.readEvents(sessionId);
    expect(received).toEqual(full);
    expect(received.at(-1)?.type).toBe('run.completed');
    expect(verifyChain(received)).toMatchObject({ ok: true, count: full.length });
  });

  it('resumes SSE from Last-Event-ID with no gap and no repeat', async () => {
    const { sessionId, execute } = await startTicker();
    const received: BatonEvent[] = [];
    let lastId = '';
    const headers = { accept: 'text/event-stream' };
    const firstAbort = new AbortController();
    const first = await fetch(`${server.url}/v1/sessions/${sessionId}/stream`, {
      headers,
      signal: firstAbort.signal,
    });
    for await (const frame of frames(first, '\n\n')) {
      const event = sseEvent(frame);
      void execute();
      if (event === undefined || event.type === 'model.delta') continue;
      received.push(event);
      lastId = /^id: (\d+)$/m.exec(frame)?.[1] ?? lastId;
      if (received.length === 15) break;
    }
    firstAbort.abort();
    expect(lastId).toBe('14');
    // A browser reconnects with its original URL; the header alone says where it stopped.
    const second = await fetch(`${server.url}/v1/sessions/${sessionId}/stream?from=0`, {
      headers: { ...headers, 'last-event-id': lastId },
    });
    for await (const frame of frames(second, '\n\n')) {
      const event = sseEvent(frame);
      if (event !== undefined && event.type !== 'model.delta') received.push(event);
    }
    await execute();
    expect(received).toEqual(await server.store.readEvents(sessionId));
  });
});

describe('a client that disconnects', () => {
  let base: TestServer;
  let server: RunningServer;
  const finished: string[] = [];

  beforeAll(async () => {
    base = await startTestServer({ agents: [tickerAgent(3, 1)], workers: 0 });
    // The real runtime, with its stream wrapped to record when the server stops iterating.
    const runtime: Runtime = {
      ...base.runtime,
      async *stream(sessionId, options) {
        try {
          yield* base.runtime.stream(sessionId, options);
        } finally {
          finished.push(sessionId);
        }
      },
    };
    server = await serve({ app: createApp({ runtime }), port: 0 });
  });

  afterAll(async () => {
    await server.close({ graceMs: 100 });
    await base.close();
  });

  it('stops the server-side iteration of a followed stream', async () => {
    const { sessionId } = await base.client.startSession({ agent: 'ticker', message: 'count' });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/sessions/${sessionId}/stream?follow=1`, {
      signal: controller.signal,
    });
    for await (const _line of frames(response, '\n')) break;
    controller.abort();
    // The server notices the disconnect asynchronously; a loaded machine may take a while.
    await vi.waitFor(() => expect(finished).toContain(sessionId), { timeout: 30_000, interval: 10 });
  });
});
