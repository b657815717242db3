/** Deterministic PRNG (mulberry32) so a failure replays exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One generated request. `http` requests go through `node:http` (any Host or Origin); `raw`
 * ones are bytes on a socket, for what no client sends. `expect` says what a right answer is:
 * `error` a 4xx JSON error, `any` anything but a 5xx (a valid request may succeed), `none` no
 * answer at all (the client hangs up mid-upload).
 */
export type FuzzRequest =
  | {
      family: string;
      kind: 'http';
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string;
      expect: 'error' | 'any';
    }
  | { family: string; kind: 'raw'; bytes: string; abortAfterMs?: number; expect: 'error' | 'none' };

/** What the generator needs to know about the server under test. */
export interface FuzzTarget {
  /** `host:port` the server listens on. */
  authority: string;
  /** Headers that authenticate. */
  auth: Record<string, string>;
  /** A task that exists, for feedback and cancel requests. */
  taskId: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const MCP_HEADERS = { ...JSON_TYPE, accept: 'application/json, text/event-stream' };

/** `count` requests from `seed`, drawn evenly from every family. */
export function generateFuzzRequests(count: number, seed: number, target: FuzzTarget): FuzzRequest[] {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (below: number) => Math.floor(next() * below);
  const junk = (length: number) => Array.from({ length }, () => String.fromCharCode(32 + int(95))).join('');
  const { auth, authority, taskId } = target;
  const withAuth = { host: authority, ...auth };
  const json = { ...withAuth, ...JSON_TYPE };
  const http = (
    family: string,
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string; expect?: 'error' | 'any' } = {},
  ): FuzzRequest => ({
    family,
    kind: 'http',
    method,
    path,
    headers: options.headers ?? withAuth,
    ...(options.body !== undefined && { body: options.body }),
    expect: options.expect ?? 'error',
  });
  const mcpCall = (name: string, args: unknown) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: int(1000),
      method: 'tools/call',
      params: { name, arguments: args },
    });
  /** Text no store can hold, as it travels in JSON (escaped) and in a URL (percent-encoded). */
  const oddJson = () =>
    pick(['\\u0000', 'a\\u0000b', '\\ud800', 'x\\udfff', '\\udbff\\u0000', '\\u0001\\u001f']);
  const oddUrl = () =>
    pick(['%00', 'a%00b', '%00%00', '%ED%A0%80', '%FF', '%C0%80', '%E0%A4%A', '%01%1F', '%F0%9F%98%80']);
  // Most of these are unstorable and must be refused; the rest are odd but storable: any 2xx or 4xx will do.
  const unstorable = (text: string) => /%00|\\u0000|\\ud[89a-f]/.test(text);
  const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const notAString = [123, -1, 1.5, true, null, [], {}, [1, 2], { nested: { deep: 1 } }, ''];
  const wrongValues: Record<string, readonly unknown[]> = {
    agent: notAString,
    message: notAString,
    idempotencyKey: [...notAString, 'k'.repeat(300)],
    context: [123, 'text', true, null, [], [1, 2]],
  };
  const bodyRoutes = ['/v1/sessions', '/v1/messages', '/v1/tasks', `/v1/tasks/${taskId}/feedback`];

  const families: (() => FuzzRequest)[] = [
    () =>
      http('bad JSON', 'POST', pick(bodyRoutes), {
        headers: json,
        body: pick([
          '{',
          '{"agent":',
          'nul',
          '[1,',
          '{"a":1}}',
          junk(1 + int(40)),
          '"\\x"',
          '{"a":"\\ud800}',
        ]),
      }),
    () => {
      const body: Record<string, unknown> = { agent: 'echo', message: 'hi' };
      const field = pick(['agent', 'message', 'context', 'idempotencyKey']);
      body[field] = pick(wrongValues[field] ?? []);
      return http('wrong type', 'POST', '/v1/sessions', { headers: json, body: JSON.stringify(body) });
    },
    () =>
      http('wrong body shape', 'POST', pick(bodyRoutes), {
        headers: json,
        body: JSON.stringify(
          pick([[], 'text', 42, null, true, { message: 'no agent' }, { continuationToken: 7 }]),
        ),
      }),
    () =>
      http('unknown token or agent', 'POST', pick(['/v1/messages', '/v1/sessions']), {
        headers: json,
        body: JSON.stringify({
          continuationToken: junk(1 + int(60)),
          agent: `agent-${junk(8)}`,
          message: 'hello',
        }),
      }),
    () =>
      http('huge body', 'POST', pick(['/v1/sessions', '/v1/messages', '/v1/runs/run_x/cancel', '/mcp']), {
        headers: { ...json, accept: MCP_HEADERS.accept },
        body: JSON.stringify({ agent: 'echo', message: 'x'.repeat(1024 * 1024 + int(1000)) }),
      }),
    () =>
      http(
        'unknown route or method',
        pick(['GET', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS']),
        pick([
          '/',
          '/v2/sessions',
          '/v1',
          '/v1/',
          '/v1/session',
          '/v1/runs',
          `/${encodeURIComponent(junk(10))}`,
        ]),
      ),
    () =>
      http(
        'bad credentials',
        pick(['GET', 'POST']),
        pick(['/v1/sessions', '/v1/agents', '/v1/messages', '/v1/tasks', '/mcp']),
        {
          headers: {
            host: authority,
            ...pick([
              {},
              { authorization: `Bearer ${junk(12)}` },
              { authorization: 'Bearer' },
              { authorization: `Basic ${Buffer.from(junk(10)).toString('base64')}` },
              { authorization: junk(20) },
              { authorization: `${auth.authorization ?? ''}x` },
            ]),
          },
        },
      ),
    () =>
      http(
        'bad id or query',
        'GET',
        pick([
          `/v1/sessions/${encodeURIComponent(junk(16))}`,
          `/v1/runs/${encodeURIComponent(junk(12))}`,
          `/v1/tasks/${encodeURIComponent(junk(12))}`,
          '/v1/sessions?limit=-1',
          '/v1/sessions?limit=100000',
          '/v1/sessions?cursor=',
          `/v1/sessions?cursor=${encodeURIComponent(junk(12))}`,
          '/v1/sessions/ses_unknown/stream?from=abc',
          '/v1/sessions/ses_unknown/stream?follow=maybe',
          '/v1/tasks?limit=0',
          '/v1/tasks?since=yesterday',
        ]),
      ),
    () =>
      http('too deep', 'POST', pick([...bodyRoutes, '/mcp']), {
        headers: { ...json, accept: MCP_HEADERS.accept },
        body: pick([
          `{"agent":"echo","message":"m","context":{"a":${deep(65 + int(20_000))}}}`,
          `{"profile":"agent:echo","args":{"message":"m","x":${deep(65 + int(20_000))}}}`,
          deep(65 + int(50_000)),
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delegate","arguments":${deep(70 + int(5000))}}}`,
        ]),
      }),
    () =>
      http(
        'odd bytes in paths',
        pick(['GET', 'POST']),
        pick([
          `/v1/tasks/${oddUrl()}`,
          `/v1/tasks/${oddUrl()}/cancel`,
          `/v1/sessions/${oddUrl()}`,
          `/v1/sessions/${oddUrl()}/stream`,
          `/v1/runs/${oddUrl()}`,
          `/v1/runs/${oddUrl()}/cancel`,
          `/${oddUrl()}`,
          `/v1/${oddUrl()}`,
        ]),
      ),
    () => {
      const route = pick(['/v1/tasks', '/v1/sessions', '/v1/agents', '/v1/sessions/ses_x/stream']);
      const query = `${pick(['namespace', 'profile', 'since', 'limit', 'cursor', 'from', oddUrl()])}=${oddUrl()}`;
      return http('odd bytes in queries', 'GET', `${route}?${query}`, {
        expect: unstorable(query) ? 'error' : 'any',
      });
    },
    () => {
      const odd = oddJson();
      return http('odd bytes in bodies', 'POST', pick(bodyRoutes), {
        headers: json,
        expect: unstorable(odd) ? 'error' : 'any',
        body: pick([
          `{"agent":"echo","message":"${odd}"}`,
          `{"agent":"${odd}","message":"m"}`,
          `{"agent":"echo","message":"m","context":{"${odd}":1}}`,
          `{"agent":"echo","message":"m","idempotencyKey":"${odd}"}`,
          `{"continuationToken":"${odd}","message":"m"}`,
          `{"profile":"agent:echo","args":{"message":"${odd}"}}`,
          `{"profile":"agent:echo","args":{"message":"m"},"namespace":"${odd}"}`,
          `{"profile":"${odd}","args":{}}`,
          `{"score":0.5,"notes":"${odd}","by":"user"}`,
        ]),
      });
    },
    () =>
      http('content types', 'POST', pick(['/v1/sessions', '/v1/tasks', '/v1/messages', '/mcp']), {
        headers: {
          ...withAuth,
          accept: MCP_HEADERS.accept,
          ...pick([
            {},
            { 'content-type': 'text/plain' },
            { 'content-type': 'application/x-www-form-urlencoded' },
            { 'content-type': 'multipart/form-data; boundary=zz' },
            { 'content-type': 'application/jsonx' },
            { 'content-type': 'application/json-patch+json' },
            { 'content-type': junk(10) },
            { 'content-type': ';' },
          ]),
        },
        body: pick(['{"agent":"echo","message":"m"}', 'agent=echo&message=m', junk(30)]),
      }),
    () =>
      http(
        'Host headers',
        pick(['GET', 'POST']),
        pick(['/v1/health', '/v1/agents', '/mcp', '/v1/sessions']),
        {
          headers: {
            ...json,
            host: pick([
              'attacker.example',
              `attacker.example:${authority.split(':')[1]}`,
              'localhost:1',
              '127.0.0.2',
              '[::2]:80',
              `${junk(5).replace(/[^a-z]/gi, 'a')}.localhost`,
              '0.0.0.0',
              '[::1]',
              'localhost:99999',
              'a..b',
            ]),
          },
        },
      ),
    () =>
      http('Origin headers', pick(['GET', 'POST', 'OPTIONS']), pick(['/v1/agents', '/v1/sessions', '/mcp']), {
        headers: {
          ...json,
          'access-control-request-method': 'POST',
          origin: pick([
            'null',
            'https://attacker.example',
            `http://${authority}.attacker.example`,
            `https://${authority.split(':')[0]}:1`,
            junk(12),
            'file://',
            'chrome-extension://abc',
          ]),
        },
      }),
    () =>
      http('MCP tool arguments', 'POST', '/mcp', {
        headers: { ...withAuth, ...MCP_HEADERS },
        expect: 'any',
        body: pick([
          mcpCall('delegation_status', { taskId: pick(['a\u0000b', '\ud800', junk(10), taskId, '']) }),
          mcpCall('delegation_cancel', { taskId: pick(['a\u0000b', '\udfff', junk(10)]) }),
          mcpCall(
            'delegation_history',
            pick([{ namespace: '\u0000' }, { profile: 'x\ud800' }, { limit: -1 }, {}]),
          ),
          mcpCall('delegate', {
            agent: pick(['echo', '\u0000', junk(5)]),
            message: pick(['m', 'a\u0000', 7]),
          }),
          mcpCall('delegate_feedback', {
            refersTo: { kind: 'task', ref: pick([taskId, '\u0000']) },
            rating: { score: pick([0.5, 2, -1]), notes: pick(['n', '\u0000']) },
            by: 'user',
          }),
          mcpCall(junk(8), {}),
          JSON.stringify({ jsonrpc: '2.0', id: 1, method: junk(6) }),
          JSON.stringify({ jsonrpc: '1.0', id: null }),
        ]),
      }),
    () => ({
      family: 'aborted uploads',
      kind: 'raw',
      bytes:
        `POST ${pick(['/v1/sessions', '/v1/tasks', '/mcp', '/v1/messages'])} HTTP/1.1\r\nhost: ${authority}\r\n` +
        `${headerLines({ ...auth, ...JSON_TYPE })}content-length: ${1000 + int(100_000)}\r\n\r\n{"agent":"echo","mess`,
      abortAfterMs: 1 + int(30),
      expect: 'none',
    }),
    () => ({
      family: 'huge headers',
      kind: 'raw',
      bytes: `GET /v1/agents HTTP/1.1\r\nhost: ${authority}\r\n${headerLines(auth)}x-big: ${'a'.repeat(
        20_000 + int(50_000),
      )}\r\nconnection: close\r\n\r\n`,
      expect: 'error',
    }),
    () => ({
      family: 'malformed request lines',
      kind: 'raw',
      bytes: `${pick([
        `GET /v1/tasks/a\u0000b HTTP/1.1`,
        'GET /v1\\agents HTTP/1.1',
        `GET http://attacker.example/v1/agents HTTP/1.1`,
        'BREW /v1/agents HTTP/1.1',
        'GET /v1/agents HTTP/9.9',
        'GET  HTTP/1.1',
        `GET /v1/agents?x=\u0001 HTTP/1.1`,
      ])}\r\nhost: ${pick([authority, 'a b', '', `${authority}/x`])}\r\n${headerLines(auth)}connection: close\r\n\r\n`,
      expect: 'error',
    }),
  ];
  return Array.from({ length: count }, (_, index) =>
    (families[index % families.length] as () => FuzzRequest)(),
  );
}

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}
