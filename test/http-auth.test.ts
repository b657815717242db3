import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import { createApp } from '../src/server/app.js';
import { serve } from '../src/server/serve.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer, whoamiAgent } from './helpers/http-server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
}

/** The identity the `whoami` tool saw, from the session's tool.result. */
async function toolSawAuth(url: string, sessionId: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/v1/sessions/${sessionId}/stream`, { headers });
  const events = (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; data: { output?: unknown } });
  return events.filter((event) => event.type === 'tool.result').map((event) => event.data.output);
}

describe('auth', () => {
  it('with none, serves everyone and records the anonymous caller', async () => {
    server = await startTestServer({ agents: [whoamiAgent] });
    const started = await server.client.startSession({ agent: 'whoami', message: 'who?' });
    const session = await server.client.getSession(started.sessionId);
    expect(session.auth.initiator).toEqual({ kind: 'anonymous', subject: 'anonymous' });
  });

  it('with bearer, rejects missing and wrong tokens with 401 JSON and keeps health open', async () => {
    server = await startTestServer({ agents: [whoamiAgent], auth: { mode: 'bearer', token: 'tok-123' } });
    const { url } = server;
    expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    await expectUnauthorized(await fetch(`${url}/v1/agents`));
    await expectUnauthorized(
      await fetch(`${url}/v1/agents`, { headers: { authorization: 'Bearer tok-12' } }),
    );
    await expectUnauthorized(await fetch(`${url}/v1/sessions/ses_x/stream`));
    await expectUnauthorized(
      await fetch(`${url}/v1/sessions`, {
        method: 'POST',
        body: JSON.stringify({ agent: 'whoami', message: 'x' }),
      }),
    );
    const ok = await fetch(`${url}/v1/agents`, { headers: { authorization: 'Bearer tok-123' } });
    expect(ok.status).toBe(200);
  });

  it('with bearer, stores the caller as initiator and current, and tools can read it', async () => {
    server = await startTestServer({
      agents: [whoamiAgent],
      auth: { mode: 'bearer', token: 'tok-123' },
      token: 'tok-123',
    });
    const { client, url } = server;
    const started = await client.startSession({ agent: 'whoami', message: 'who?' });
    for await (const _event of client.stream(started.sessionId)) {
      // Drain to the end of the run.
    }
    const session = await client.getSession(started.sessionId);
    const caller = { kind: 'bearer', subject: 'api-token' };
    expect(session.auth).toEqual({ initiator: caller, current: caller });
    expect(JSON.stringify(session)).not.toContain('tok-123');
    const outputs = await toolSawAuth(url, started.sessionId, { authorization: 'Bearer tok-123' });
    expect(outputs).toEqual([{ initiator: caller, current: caller }]);
  });

  it('with basic, rejects wrong passwords and records the user name as initiator and current', async () => {
    server = await startTestServer({
      agents: [whoamiAgent],
      auth: { mode: 'basic', username: 'ada', password: 'pw' },
    });
    const { url } = server;
    await expectUnauthorized(
      await fetch(`${url}/v1/sessions`, { headers: { authorization: basic('ada', 'nope') } }),
    );
    const unauthorized = await fetch(`${url}/v1/sessions`);
    expect(unauthorized.headers.get('www-authenticate')).toContain('Basic');
    await unauthorized.body?.cancel();

    const client = createClient({ baseUrl: url, headers: { authorization: basic('ada', 'pw') } });
    const started = await client.startSession({ agent: 'whoami', message: 'first' });
    for await (const _event of client.stream(started.sessionId)) {
      // Drain to the end of the first run.
    }
    await client.send({ continuationToken: started.continuationToken as string, message: 'second' });
    const session = await client.getSession(started.sessionId);
    expect(session.auth).toEqual({
      initiator: { kind: 'basic', subject: 'ada' },
      current: { kind: 'basic', subject: 'ada' },
    });
  });

  it('keeps the first caller as auth.initiator and moves auth.current to the latest one, as tools see it', async () => {
    server = await startTestServer({
      agents: [whoamiAgent],
      auth: { mode: 'basic', username: 'ada', password: 'pw' },
    });
    // A second front end over the same runtime that admits another user, as when servers behind
    // a load balancer are configured with different credentials.
    const other = await serve({
      app: createApp({
        runtime: server.runtime,
        auth: { mode: 'basic', username: 'grace', password: 'pw2' },
      }),
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const ada = createClient({ baseUrl: server.url, headers: { authorization: basic('ada', 'pw') } });
      const grace = createClient({ baseUrl: other.url, headers: { authorization: basic('grace', 'pw2') } });
      const started = await ada.startSession({ agent: 'whoami', message: 'first' });
      for await (const _event of ada.stream(started.sessionId)) {
        // Drain to the end of the first run.
      }
      await grace.send({ continuationToken: started.continuationToken as string, message: 'second' });
      for await (const _event of grace.stream(started.sessionId)) {
        // Drain to the end of the follow-up run.
      }
      const initiator = { kind: 'basic', subject: 'ada' };
      const current = { kind: 'basic', subject: 'grace' };
      expect((await grace.getSession(started.sessionId)).auth).toEqual({ initiator, current });
      const outputs = await toolSawAuth(server.url, started.sessionId, { authorization: basic('ada', 'pw') });
      expect(outputs).toEqual([
        { initiator, current: initiator },
        { initiator, current },
      ]);
    } finally {
      await other.close({ graceMs: 100 });
    }
  });
});
