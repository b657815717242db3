import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../src/client/index.js';
import { BatonApiError, createClient } from '../src/client/index.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer, tickerAgent } from './helpers/http-server.js';
import type { TcpProxy } from './helpers/tcp-proxy.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

const persisted = (events: StreamEvent[]): BatonEvent[] =>
  events.filter((event): event is BatonEvent => event.type !== 'model.delta');

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('client SDK against a real server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ agents: [echoAgent, tickerAgent(3, 1)] });
  });

  afterAll(async () => {
    await server.close();
  });

  it('starts a session, streams it, sends a follow-up and reads runs and sessions', async () => {
    const { client } = server;
    const started = await client.startSession({ agent: 'echo', message: 'hi' });
    const first = persisted(await collect(client.stream(started.sessionId)));
    expect(first.at(-1)).toMatchObject({ type: 'run.completed', data: { text: 'echo: hi' } });

    const next = await client.send({
      continuationToken: started.continuationToken as string,
      message: 'more',
    });
    expect(next.sessionId).toBe(started.sessionId);
    const second = persisted(
      await collect(client.stream(started.sessionId, { from: (first.at(-1)?.seq ?? 0) + 1 })),
    );
    expect(second.at(-1)).toMatchObject({
      type: 'run.completed',
      runId: next.runId,
      data: { text: 'echo: more' },
    });
    expect(verifyChain([...first, ...second])).toMatchObject({ ok: true });

    const session = await client.getSession(started.sessionId);
    expect(session.runs.map((run) => run.id)).toEqual([started.runId, next.runId]);
    expect((await client.getRun(next.runId)).status).toBe('succeeded');
    expect((await client.listSessions({ limit: 1 })).sessions[0]?.id).toBe(started.sessionId);
    expect(await client.health()).toEqual({ ok: true, version: expect.any(String) });
    expect((await client.listAgents()).map((agent) => agent.name)).toEqual(['echo', 'ticker']);
  });

  it('throws BatonApiError with the server code and status', async () => {
    const { client } = server;
    const failures = await Promise.all([
      client.getSession('ses_missing').catch((error: unknown) => error),
      client.send({ continuationToken: 'wrong', message: 'x' }).catch((error: unknown) => error),
      client.startSession({ agent: 'nobody', message: 'x' }).catch((error: unknown) => error),
      client.startSession({ agent: 'echo', message: '' }).catch((error: unknown) => error),
      collect(client.stream('ses_missing')).catch((error: unknown) => error),
    ]);
    expect(failures.every((error) => error instanceof BatonApiError)).toBe(true);
    expect(failures.map((error) => [(error as BatonApiError).status, (error as BatonApiError).code])).toEqual(
      [
        [404, 'not_found'],
        [404, 'invalid_token'],
        [404, 'not_found'],
        [400, 'invalid_request'],
        [404, 'not_found'],
      ],
    );
    const cancelled = await client.cancelRun('run_missing').catch((error: unknown) => error);
    expect(cancelled).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('ends the iteration quietly when its signal aborts', async () => {
    const { client } = server;
    const { sessionId } = await client.startSession({ agent: 'echo', message: 'follow me' });
    const controller = new AbortController();
    const seen: StreamEvent[] = [];
    for await (const event of client.stream(sessionId, { follow: true, signal: controller.signal })) {
      seen.push(event);
      if (event.type === 'run.completed') controller.abort();
    }
    expect(seen.at(-1)?.type).toBe('run.completed');
  });
});

describe('client SDK live delivery and reconnects', () => {
  let server: TestServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    // No workers: the test decides when a run executes, so the stream is attached first.
    // The proxy listens on a port of its own, which the Host of proxied requests names.
    server = await startTestServer({
      agents: [echoAgent, tickerAgent(40, 5)],
      workers: 0,
      allowedHosts: ['127.0.0.1'],
    });
    proxy = await startTcpProxy(server.url);
  });

  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('delivers live model.delta events while the run executes', async () => {
    const { client, runtime } = server;
    const { sessionId, runId } = await client.startSession({ agent: 'echo', message: 'live' });
    const events: StreamEvent[] = [];
    let execution: Promise<unknown> | undefined;
    for await (const event of client.stream(sessionId)) {
      events.push(event);
      execution ??= runtime.execute(runId);
    }
    await execution;
    const deltas = events.filter((event) => event.type === 'model.delta');
    expect(deltas.map((event) => event.delta).join('')).toBe('echo: live');
    expect(persisted(events).at(-1)?.type).toBe('run.completed');
  });

  it('reconnects from the last seq after the connection drops, losing and repeating nothing', async () => {
    const client = createClient({ baseUrl: proxy.url });
    const { sessionId, runId } = await client.startSession({ agent: 'ticker', message: 'count' });
    const events: StreamEvent[] = [];
    let execution: Promise<unknown> | undefined;
    let drops = 0;
    for await (const event of client.stream(sessionId)) {
      events.push(event);
      execution ??= server.runtime.execute(runId);
      const count = persisted(events).length;
      if ((count === 10 || count === 40) && drops < 2 && event.type !== 'model.delta') {
        drops += 1;
        proxy.dropAll();
      }
    }
    await execution;
    expect(drops).toBe(2);
    const received = persisted(events);
    const full = await server.store.readEvents(sessionId);
    expect(received.map((event) => event.seq)).toEqual(full.map((event) => event.seq));
    expect(received).toEqual(full);
    expect(received.at(-1)?.type).toBe('run.completed');
  });
});
