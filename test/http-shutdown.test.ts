import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjsonDecoder } from '../src/client/index.js';
import { createApp } from '../src/server/app.js';
import { serve } from '../src/server/serve.js';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer } from './helpers/http-server.js';

describe('closing the HTTP server', () => {
  let base: TestServer;

  beforeAll(async () => {
    base = await startTestServer({ agents: [echoAgent] });
  });

  afterAll(async () => {
    await base.close();
  });

  it('ends open event streams at once instead of waiting out the grace period for them', async () => {
    const { sessionId } = await base.client.startSession({ agent: 'echo', message: 'hello' });
    const server = await serve({ app: createApp({ runtime: base.runtime }), port: 0 });
    const streams = await Promise.all(
      ['application/x-ndjson', 'text/event-stream'].map((accept) =>
        fetch(`${server.url}/v1/sessions/${sessionId}/stream?follow=1`, { headers: { accept } }),
      ),
    );
    const [ndjson, sse] = streams;
    const reader = ndjson?.body?.pipeThrough(ndjsonDecoder<{ type: string }>()).getReader();
    if (reader === undefined || sse?.body == null) throw new Error('a stream has no body');
    expect((await reader.read()).value?.type).toBe('session.started');

    // Far beyond the test timeout: close() resolves only if it cuts the followed streams itself.
    await server.close({ graceMs: 10 * 60_000 });
    const ended = await (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })().catch(() => true);
    expect(ended).toBe(true);
    await sse.body.cancel().catch(() => undefined);
  });
});
