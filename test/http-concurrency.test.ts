import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatonEvent, StreamEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer, tickerAgent } from './helpers/http-server.js';

const SESSIONS = 50;

describe('many sessions at once', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ agents: [echoAgent, tickerAgent(3, 1)], workers: 4 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('streams 50 concurrent sessions, each to its own run.completed with a valid chain', async () => {
    const { client } = server;
    const results = await Promise.all(
      Array.from({ length: SESSIONS }, async (_unused, index) => {
        const agent = index % 2 === 0 ? 'echo' : 'ticker';
        const started = await client.startSession({ agent, message: `message ${index}` });
        const events: StreamEvent[] = [];
        for await (const event of client.stream(started.sessionId)) events.push(event);
        return { index, agent, started, events };
      }),
    );
    for (const { index, agent, started, events } of results) {
      const persisted = events.filter((event): event is BatonEvent => event.type !== 'model.delta');
      expect(persisted.every((event) => event.sessionId === started.sessionId)).toBe(true);
      expect(verifyChain(persisted)).toMatchObject({ ok: true });
      const last = persisted.at(-1);
      expect(last).toMatchObject({ type: 'run.completed', runId: started.runId });
      if (agent === 'echo') expect(last).toMatchObject({ data: { text: `echo: message ${index}` } });
      expect(persisted).toEqual(await server.store.readEvents(started.sessionId));
    }
    expect(new Set(results.map((result) => result.started.sessionId)).size).toBe(SESSIONS);
  });
});
