import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer } from './helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ agents: [echoAgent] });
});

afterAll(async () => {
  await server.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/messages priority', () => {
  it('commits a background message with its priority, a user message without one, and refuses others with 400', async () => {
    const { sessionId, continuationToken } = await server.client.startSession({
      agent: 'echo',
      message: 'hi',
    });
    const background = await post('/v1/messages', {
      continuationToken,
      message: 'task done',
      priority: 'background',
    });
    expect(background.status).toBe(200);
    await server.client.send({
      continuationToken: continuationToken as string,
      message: 'again',
      priority: 'user',
    });
    const bad = await post('/v1/messages', { continuationToken, message: 'x', priority: 'urgent' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toContain('priority');
    // A 200 means the message is committed.
    const events = await server.store.readEvents(sessionId);
    const messages = events.flatMap((event) => (event.type === 'message.received' ? [event.data] : []));
    expect(messages).toEqual([
      { role: 'user', text: 'hi' },
      { role: 'user', text: 'task done', priority: 'background' },
      { role: 'user', text: 'again' },
    ]);
  });
});
