import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer } from './helpers/http-server.js';

const TOKEN = 'fuzz-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Deterministic PRNG (mulberry32) so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function generate(count: number, seed: number): FuzzRequest[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const junk = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join('');
  const notAString = [123, -1, 1.5, true, null, [], {}, [1, 2], { nested: { deep: 1 } }, ''];
  const wrongValues: Record<string, readonly unknown[]> = {
    agent: notAString,
    message: notAString,
    idempotencyKey: [...notAString, 'k'.repeat(300)],
    context: [123, 'text', true, null, [], [1, 2]],
  };
  const generators: (() => FuzzRequest)[] = [
    () => ({
      label: 'bad JSON',
      method: 'POST',
      path: pick(['/v1/sessions', '/v1/messages']),
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: pick([
        '{',
        '{"agent":',
        'nul',
        '[1,',
        '{"a":1}}',
        junk(1 + Math.floor(next() * 40)),
        '',
        '\u0000',
      ]),
    }),
    () => {
      const body: Record<string, unknown> = { agent: 'echo', message: 'hi' };
      const field = pick(['agent', 'message', 'context', 'idempotencyKey']);
      body[field] = pick(wrongValues[field] ?? []);
      return {
        label: `wrong type for ${field}`,
        method: 'POST',
        path: '/v1/sessions',
        headers: AUTH,
        body: JSON.stringify(body),
      };
    },
    () => ({
      label: 'wrong body shape',
      method: 'POST',
      path: pick(['/v1/sessions', '/v1/messages']),
      headers: AUTH,
      body: JSON.stringify(
        pick([[], 'text', 42, null, true, { message: 'no agent' }, { continuationToken: 7 }]),
      ),
    }),
    () => ({
      label: 'unknown continuation token',
      method: 'POST',
      path: '/v1/messages',
      headers: AUTH,
      body: JSON.stringify({ continuationToken: junk(1 + Math.floor(next() * 60)), message: 'hello' }),
    }),
    () => ({
      label: 'unknown agent',
      method: 'POST',
      path: '/v1/sessions',
      headers: AUTH,
      body: JSON.stringify({ agent: `agent-${junk(8)}`, message: 'hello' }),
    }),
    () => ({
      label: 'huge body',
      method: 'POST',
      path: pick(['/v1/sessions', '/v1/messages', '/v1/runs/run_x/cancel']),
      headers: AUTH,
      body: JSON.stringify({ agent: 'echo', message: 'x'.repeat(1024 * 1024 + Math.floor(next() * 1000)) }),
    }),
    () => ({
      label: 'unknown route',
      method: pick(['GET', 'POST', 'DELETE', 'PATCH']),
      path: pick([
        '/',
        '/v2/sessions',
        '/v1',
        '/v1/',
        '/v1/session',
        '/v1/runs',
        `/${encodeURIComponent(junk(10))}`,
        '/v1/sessions/a/b/c',
      ]),
      headers: AUTH,
    }),
    () => ({
      label: 'wrong method',
      method: pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']),
      path: pick(['/v1/health', '/v1/sessions', '/v1/messages', '/v1/agents', '/v1/runs/run_1/cancel']),
      headers: AUTH,
    }),
    () => ({
      label: 'bad credentials',
      method: pick(['GET', 'POST']),
      path: pick(['/v1/sessions', '/v1/agents', '/v1/messages', '/v1/runs/run_1']),
      headers: pick([
        {},
        { authorization: `Bearer ${junk(12)}` },
        { authorization: 'Bearer' },
        { authorization: `Basic ${Buffer.from(junk(10)).toString('base64')}` },
        { authorization: junk(20) },
        { authorization: `Bearer ${TOKEN}x` },
      ]),
    }),
    () => ({
      label: 'bad id',
      method: pick(['GET', 'POST']),
      path: pick([
        `/v1/sessions/${encodeURIComponent(junk(16))}`,
        `/v1/sessions/ses_${junk(4).replace(/[^a-z0-9]/gi, 'a')}/stream`,
        `/v1/runs/${encodeURIComponent(junk(12))}`,
        `/v1/runs/run_${Math.floor(next() * 1e9)}/cancel`,
        '/v1/sessions/%E0%A4%A/stream',
      ]),
      headers: AUTH,
    }),
    () => ({
      label: 'bad query parameter',
      method: 'GET',
      path: pick([
        '/v1/sessions?limit=-1',
        '/v1/sessions?limit=abc',
        '/v1/sessions?limit=0',
        '/v1/sessions?limit=100000',
        '/v1/sessions?limit=1.5',
        '/v1/sessions?cursor=',
        `/v1/sessions/${'ses_unknown'}/stream?from=-1`,
        '/v1/sessions/ses_unknown/stream?from=abc',
        '/v1/sessions/ses_unknown/stream?follow=maybe',
        '/v1/sessions/ses_unknown/stream?from=99999999999999999999',
      ]),
      headers: AUTH,
    }),
    () => ({
      label: 'bad Last-Event-ID',
      method: 'GET',
      path: '/v1/sessions/ses_unknown/stream',
      headers: { ...AUTH, accept: 'text/event-stream', 'last-event-id': pick(['abc', '-1', '1.5', junk(5)]) },
    }),
  ];
  return Array.from({ length: count }, () => pick(generators)());
}

describe('fuzzing the HTTP API', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      agents: [echoAgent],
      auth: { mode: 'bearer', token: TOKEN },
      token: TOKEN,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers several hundred malformed or random requests with 4xx JSON errors and stays healthy', async () => {
    const requests = generate(400, 20250101);
    const failures: string[] = [];
    for (let start = 0; start < requests.length; start += 20) {
      await Promise.all(
        requests.slice(start, start + 20).map(async (request) => {
          const response = await fetch(`${server.url}${request.path}`, {
            method: request.method,
            ...(request.headers && { headers: request.headers }),
            ...(request.body !== undefined && { body: request.body }),
          });
          const text = await response.text();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          const error = (body as { error?: Record<string, unknown> } | null)?.error;
          const wellFormed =
            response.status >= 400 &&
            response.status < 500 &&
            (response.headers.get('content-type') ?? '').includes('application/json') &&
            Object.keys(body as object).join() === 'error' &&
            error !== undefined &&
            Object.keys(error).sort().join() === 'code,message' &&
            typeof error.code === 'string' &&
            typeof error.message === 'string';
          if (!wellFormed)
            failures.push(
              `${request.label}: ${request.method} ${request.path} -> ${response.status} ${text.slice(0, 120)}`,
            );
        }),
      );
    }
    expect(failures).toEqual([]);

    expect(await server.client.health()).toMatchObject({ ok: true });
    const started = await server.client.startSession({ agent: 'echo', message: 'still alive?' });
    let last: string | undefined;
    for await (const event of server.client.stream(started.sessionId)) last = event.type;
    expect(last).toBe('run.completed');
  });
});
