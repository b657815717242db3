import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { limitBody } from './body-limit.js';
import { errorResponse } from './error-response.js';
import type { ServerEnv } from './server-env.js';

function echoApp(maxBytes: number): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.onError((error) => errorResponse(error));
  app.use('*', limitBody(maxBytes));
  app.post('/echo', async (c) => c.text(await c.req.text()));
  return app;
}

/** A body sent in chunks without a Content-Length, as a streaming client would. */
function chunked(parts: string[]): { body: ReadableStream<Uint8Array>; duplex: 'half' } {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
  return { body, duplex: 'half' };
}

describe('limitBody', () => {
  it('passes bodies up to the limit through intact', async () => {
    const response = await echoApp(10).request('/echo', { method: 'POST', body: '0123456789' });
    expect(await response.text()).toBe('0123456789');
  });

  it('answers 413 JSON for a body one byte over the limit', async () => {
    const response = await echoApp(10).request('/echo', { method: 'POST', body: '0123456789A' });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: expect.any(String) },
    });
  });

  it('counts streamed bodies without a Content-Length', async () => {
    const small = await echoApp(10).request('/echo', { method: 'POST', ...chunked(['01234', '56789']) });
    expect(await small.text()).toBe('0123456789');
    const large = await echoApp(10).request('/echo', { method: 'POST', ...chunked(['01234', '56789', 'A']) });
    expect(large.status).toBe(413);
  });

  it('refuses a declared size past the drain limit without reading it', async () => {
    const response = await echoApp(10).request('/echo', {
      method: 'POST',
      headers: { 'content-length': String(1024 ** 3) },
      ...chunked(['x']),
    });
    expect(response.status).toBe(413);
  });
});
