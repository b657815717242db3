import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ndjsonDecoder } from '../src/client/index.js';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, readNdjson, startTestServer, tickerAgent } from './helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ agents: [echoAgent, tickerAgent(5, 1)] });
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

const persistedOnly = (events: Record<string, unknown>[]) =>
  events.filter((event) => event.type !== 'model.delta') as unknown as BatonEvent[];

describe('HTTP API', () => {
  it('starts a session, streams it to run.completed, follows up by token and streams again', async () => {
    const started = await post('/v1/sessions', { agent: 'echo', message: 'hello' });
    expect(started.status).toBe(202);
    const body = (await started.json()) as { sessionId: string; runId: string; continuationToken: string };
    expect(Object.keys(body).sort()).toEqual(['continuationToken', 'runId', 'sessionId']);
    expect(started.headers.get('location')).toBe(`/v1/sessions/${body.sessionId}/stream`);

    const first = await fetch(`${server.url}${started.headers.get('location')}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('application/x-ndjson');
    const firstEvents = await readNdjson(first);
    const firstPersisted = persistedOnly(firstEvents);
    expect(firstPersisted.map((event) => event.seq)).toEqual(firstPersisted.map((_event, index) => index));
    expect(firstPersisted.at(-1)).toMatchObject({
      type: 'run.completed',
      runId: body.runId,
      data: { text: 'echo: hello' },
    });
    // Live-only deltas carry no seq (whether any arrive depends on when the stream attached).
    expect(
      firstEvents.filter((event) => event.type === 'model.delta').every((event) => !('seq' in event)),
    ).toBe(true);

    const followUp = await post('/v1/messages', {
      continuationToken: body.continuationToken,
      message: 'again',
    });
    expect(followUp.status).toBe(200);
    const next = (await followUp.json()) as typeof body;
    expect(next.sessionId).toBe(body.sessionId);
    expect(next.runId).not.toBe(body.runId);
    expect(typeof next.continuationToken).toBe('string');

    const lastSeq = firstPersisted.at(-1)?.seq ?? -1;
    const second = persistedOnly(
      await readNdjson(await fetch(`${server.url}/v1/sessions/${body.sessionId}/stream?from=${lastSeq + 1}`)),
    );
    expect(second[0]?.seq).toBe(lastSeq + 1);
    expect(second.at(-1)).toMatchObject({
      type: 'run.completed',
      runId: next.runId,
      data: { text: 'echo: again' },
    });
    expect(verifyChain([...firstPersisted, ...second])).toMatchObject({ ok: true });

    const session = (await (await fetch(`${server.url}/v1/sessions/${body.sessionId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(session).toMatchObject({ id: body.sessionId, agent: 'echo', status: 'idle', context: {} });
    expect((session.runs as { id: string }[]).map((run) => run.id)).toEqual([body.runId, next.runId]);
    expect(session.usage).toMatchObject({
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
    });
    expect(JSON.stringify(session)).not.toContain(body.continuationToken);

    const run = (await (await fetch(`${server.url}/v1/runs/${next.runId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(run).toMatchObject({ id: next.runId, sessionId: body.sessionId, status: 'succeeded' });
  });

  it('with follow=1 keeps the stream open after the run and delivers the next run on the same connection', async () => {
    const started = (await (await post('/v1/sessions', { agent: 'echo', message: 'first' })).json()) as {
      sessionId: string;
      continuationToken: string;
    };
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/sessions/${started.sessionId}/stream?follow=1`, {
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.pipeThrough(ndjsonDecoder<Record<string, unknown>>()).getReader();
    if (reader === undefined) throw new Error('the stream has no body');
    const completedTexts: unknown[] = [];
    const seqs: unknown[] = [];
    try {
      while (completedTexts.length < 2) {
        const { done, value } = await reader.read();
        // An idle session would end a stream without follow; this one must still be open.
        if (done) throw new Error('the followed stream ended after the session went idle');
        if ('seq' in value) seqs.push(value.seq);
        if (value.type !== 'run.completed') continue;
        completedTexts.push((value.data as { text: string }).text);
        if (completedTexts.length === 1) {
          const followUp = await post('/v1/messages', {
            continuationToken: started.continuationToken,
            message: 'second',
          });
          expect(followUp.status).toBe(200);
        }
      }
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
    expect(completedTexts).toEqual(['echo: first', 'echo: second']);
    expect(seqs).toEqual(seqs.map((_seq, index) => index));
  });

  it('answers health openly and lists the loaded agents with their tool names', async () => {
    const health = await fetch(`${server.url}/v1/health`);
    expect(await health.json()).toEqual({ ok: true, version: expect.any(String) });
    const agents = await (await fetch(`${server.url}/v1/agents`)).json();
    expect(agents).toEqual([
      { name: 'echo', description: 'Repeats what it is told', tools: [] },
      { name: 'ticker', tools: ['tick'] },
    ]);
  });

  it('lists sessions newest first with limit and cursor', async () => {
    const ids: string[] = [];
    for (const message of ['one', 'two', 'three']) {
      const response = await post('/v1/sessions', { agent: 'echo', message });
      ids.push(((await response.json()) as { sessionId: string }).sessionId);
    }
    const firstPage = (await (await fetch(`${server.url}/v1/sessions?limit=2`)).json()) as {
      sessions: { id: string }[];
      nextCursor?: string;
    };
    expect(firstPage.sessions.map((session) => session.id)).toEqual([ids[2], ids[1]]);
    expect(firstPage).toEqual({ sessions: expect.any(Array), nextCursor: expect.any(String) });
    const secondPage = (await (
      await fetch(
        `${server.url}/v1/sessions?limit=2&cursor=${encodeURIComponent(firstPage.nextCursor ?? '')}`,
      )
    ).json()) as { sessions: { id: string }[] };
    expect(secondPage.sessions[0]?.id).toBe(ids[0]);
  });

  it('returns the same session and run for a repeated idempotency key', async () => {
    const first = await (
      await post('/v1/sessions', { agent: 'echo', message: 'once', idempotencyKey: 'key-1' })
    ).json();
    const again = await (
      await post('/v1/sessions', { agent: 'echo', message: 'once', idempotencyKey: 'key-1' })
    ).json();
    expect(again).toMatchObject({ sessionId: first.sessionId, runId: first.runId });
  });

  it('records the context given at start on the session', async () => {
    const started = await (
      await post('/v1/sessions', { agent: 'echo', message: 'hi', context: { repo: 'baton' } })
    ).json();
    const session = await (await fetch(`${server.url}/v1/sessions/${started.sessionId}`)).json();
    expect(session.context).toEqual({ repo: 'baton' });
  });

  it('streams as server-sent events with seq ids and resumes after Last-Event-ID', async () => {
    const { sessionId } = await (await post('/v1/sessions', { agent: 'ticker', message: 'count' })).json();
    const sse = await fetch(`${server.url}/v1/sessions/${sessionId}/stream`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const frames = (await sse.text())
      .split('\n\n')
      .filter((frame) => frame.startsWith('id:') || frame.startsWith('event:'));
    const persisted = frames.filter((frame) => frame.startsWith('id:'));
    persisted.forEach((frame, index) => {
      const lines = frame.split('\n');
      expect(lines[0]).toBe(`id: ${index}`);
      const event = JSON.parse(lines[2]?.slice('data: '.length) ?? '') as BatonEvent;
      expect(lines[1]).toBe(`event: ${event.type}`);
      expect(event.seq).toBe(index);
    });
    expect(persisted.at(-1)).toContain('event: run.completed');

    const resumed = await fetch(`${server.url}/v1/sessions/${sessionId}/stream?from=0`, {
      headers: { accept: 'text/event-stream', 'last-event-id': '4' },
    });
    const ids = (await resumed.text()).match(/^id: \d+$/gm) ?? [];
    expect(ids[0]).toBe('id: 5');
    expect(ids.length).toBe(persisted.length - 5);
  });

  it('cancels a run and reports it, and refuses to cancel it twice', async () => {
    const { runId } = await (await post('/v1/sessions', { agent: 'ticker', message: 'count slowly' })).json();
    const cancelled = await post(`/v1/runs/${runId}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: runId });
    await server.runtime.execute(runId).catch(() => undefined);
    // Five quick ticks may beat the cancellation; either way the run ends, and ending it again is a conflict.
    await vi.waitFor(
      async () => {
        const run = (await (await fetch(`${server.url}/v1/runs/${runId}`)).json()) as { status: string };
        expect(['cancelled', 'succeeded']).toContain(run.status);
      },
      { timeout: 30_000, interval: 10 },
    );
    const again = await post(`/v1/runs/${runId}/cancel`, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('answers bad requests with 4xx JSON errors that name the problem', async () => {
    const expectError = async (response: Response, status: number, code: string, mention?: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body).toEqual({ error: { code, message: expect.any(String) } });
      if (mention !== undefined) expect(body.error.message).toContain(mention);
    };
    await expectError(await post('/v1/sessions', { agent: 'echo' }), 400, 'invalid_request', 'message');
    await expectError(
      await post('/v1/sessions', { agent: 7, message: 'x' }),
      400,
      'invalid_request',
      'agent',
    );
    await expectError(
      await post('/v1/sessions', { agent: 'echo', message: 'x', context: [] }),
      400,
      'invalid_request',
      'context',
    );
    await expectError(
      await fetch(`${server.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"agent":',
      }),
      400,
      'invalid_request',
      'JSON',
    );
    await expectError(
      await post('/v1/sessions', { agent: 'nobody', message: 'x' }),
      404,
      'not_found',
      'nobody',
    );
    await expectError(
      await post('/v1/messages', { continuationToken: 'nope', message: 'x' }),
      404,
      'invalid_token',
    );
    await expectError(await fetch(`${server.url}/v1/sessions/ses_missing`), 404, 'not_found');
    await expectError(await fetch(`${server.url}/v1/sessions/ses_missing/stream`), 404, 'not_found');
    await expectError(await fetch(`${server.url}/v1/runs/run_missing`), 404, 'not_found');
    await expectError(await fetch(`${server.url}/v1/sessions?limit=0`), 400, 'invalid_request', 'limit');
    await expectError(
      await fetch(`${server.url}/v1/sessions/ses_x/stream?from=-1`),
      400,
      'invalid_request',
      'from',
    );
    await expectError(await fetch(`${server.url}/v1/nowhere`), 404, 'not_found');
    const wrongMethod = await fetch(`${server.url}/v1/health`, { method: 'DELETE' });
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    await expectError(wrongMethod, 405, 'method_not_allowed');
    await expectError(
      await post('/v1/sessions', { agent: 'echo', message: 'x'.repeat(1024 * 1024) }),
      413,
      'payload_too_large',
    );
  });
});
