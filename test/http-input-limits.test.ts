import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';
import { waitFor } from '../src/testing/wait-for.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer } from './helpers/http-server.js';
import { adminQuery, dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import { sendRawBytes } from './helpers/raw-http.js';

/** A store per test server, and how to break it so that every query fails (a real 500). */
interface StoreCase {
  name: string;
  skip: boolean;
  open(): Promise<{
    store: Store | undefined;
    breakIt(server: TestServer): Promise<void>;
    cleanUp(): Promise<void>;
  }>;
}

const STORES: StoreCase[] = [
  {
    name: 'SQLite',
    skip: false,
    open: async () => ({
      store: undefined,
      breakIt: (server) => server.store.close(),
      cleanUp: async () => undefined,
    }),
  },
  {
    name: 'PostgreSQL',
    skip: process.env.BATON_TEST_NO_POSTGRES === '1',
    open: async () => {
      const schema = uniqueSchema('limits');
      return {
        store: await openPostgresStore(schemaUrl(schema)),
        breakIt: async () => {
          await adminQuery(`DROP SCHEMA "${schema}" CASCADE`);
        },
        cleanUp: () => dropSchema(schema),
      };
    },
  },
];

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines, at: (level: string) => lines.filter((line) => line.level === level) };
}

/** JSON text of arrays and objects nested `depth` deep, built as text: `JSON.stringify` itself recurses. */
function nested(depth: number): string {
  const opening = Array.from({ length: depth }, (_, level) => (level % 2 === 0 ? '[' : '{"inner":'));
  return `${opening.join('')}"leaf"${opening
    .reverse()
    .map((open) => (open === '[' ? ']' : '}'))
    .join('')}`;
}

const json = { 'content-type': 'application/json' };

async function connectMcp(url: string): Promise<Client> {
  const client = new Client({ name: 'baton-limits-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function toolErrorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  const [content] = result.content;
  return content?.type === 'text' ? content.text : '';
}

/** The stores this machine has (the Postgres files are skipped without a server, as in vitest.config.ts). */
const AVAILABLE = STORES.filter((storeCase) => !storeCase.skip);

describe.each(AVAILABLE)('input limits on $name', (storeCase) => {
  let server: TestServer;
  let opened: Awaited<ReturnType<StoreCase['open']>>;
  const log = capturedLogger();
  let taskId = '';

  beforeAll(async () => {
    opened = await storeCase.open();
    server = await startTestServer({ logger: log.logger, ...(opened.store && { store: opened.store }) });
    const submitted = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ profile: 'agent:echo', args: { message: 'a task to rate' } }),
    });
    taskId = ((await submitted.json()) as { taskId: string }).taskId;
  });
  afterAll(async () => {
    await server.close();
    await opened.cleanUp();
  });

  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: json, body });

  async function expectClientError(response: Response, status: number, code?: string): Promise<void> {
    const text = await response.text();
    expect({ status: response.status, body: JSON.parse(text) }, `${response.url}: ${text}`).toEqual({
      status,
      body: { error: { code: code ?? expect.any(String), message: expect.any(String) } },
    });
  }

  it('answers JSON nested 10 000 deep with 400 too_deep on every route that takes a body', async () => {
    const deep = nested(10_000);
    const cases: [string, string][] = [
      ['/v1/sessions', `{"agent":"echo","message":"m","context":{"deep":${deep}}}`],
      ['/v1/messages', `{"continuationToken":"t","message":"m","extra":${deep}}`],
      ['/v1/tasks', `{"profile":"agent:echo","args":{"message":"m","deep":${deep}}}`],
      [`/v1/tasks/${taskId}/feedback`, `{"score":1,"notes":"n","by":"user","deep":${deep}}`],
      [
        '/mcp',
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delegation_history","arguments":{"deep":${deep}}}}`,
      ],
    ];
    for (const [path, body] of cases) await expectClientError(await post(path, body), 400, 'too_deep');
    expect(log.at('error')).toEqual([]);
  });

  it('accepts 64 levels of nesting and refuses 65', async () => {
    // The body object is level 1 and `context` level 2.
    const fits = await post('/v1/sessions', `{"agent":"echo","message":"m","context":{"x":${nested(62)}}}`);
    expect(fits.status).toBe(202);
    await expectClientError(
      await post('/v1/sessions', `{"agent":"echo","message":"m","context":{"x":${nested(63)}}}`),
      400,
      'too_deep',
    );
  });

  it('answers NUL and unpaired surrogates anywhere in a path, a query or a body with a 4xx', async () => {
    const get = (path: string) => fetch(`${server.url}${path}`);
    const answers: [Response, number][] = [
      [await get('/v1/tasks/a%00b'), 404],
      [await post('/v1/tasks/a%00b/cancel', ''), 404],
      [await post('/v1/tasks/a%00b/feedback', '{"score":1,"notes":"n","by":"user"}'), 404],
      [await get('/v1/tasks?namespace=%00'), 400],
      [await get('/v1/tasks?profile=agent%00'), 400],
      [await get('/v1/tasks?since=%00'), 400],
      [await get('/v1/sessions?cursor=a%00'), 400],
      [await get('/v1/sessions/a%00b'), 404],
      [await get('/v1/sessions/a%00b/stream?from=0'), 404],
      [await get('/v1/runs/run%00'), 404],
      [await post('/v1/runs/run%00/cancel', ''), 404],
      [await get('/v1/agents?x=%00'), 400],
      [await post('/v1/sessions', '{"agent":"echo","message":"a\\u0000b"}'), 400],
      [await post('/v1/sessions', '{"agent":"echo","message":"half \\ud800 a pair"}'), 400],
      [await post('/v1/sessions', '{"agent":"echo","message":"m","context":{"k\\u0000":1}}'), 400],
      [await post('/v1/sessions', '{"agent":"echo","message":"m","context":{"k":["\\udc00"]}}'), 400],
      [await post('/v1/sessions', '{"agent":"ec\\u0000ho","message":"m"}'), 400],
      [await post('/v1/messages', '{"continuationToken":"t\\u0000","message":"m"}'), 400],
      [await post('/v1/tasks', '{"profile":"agent:echo","args":{"message":"\\u0000"}}'), 400],
      [await post('/v1/tasks', '{"profile":"agent:echo","args":{"message":"m"},"namespace":"\\u0000"}'), 400],
      [
        await post('/v1/tasks', '{"profile":"agent:echo","args":{"message":"m"},"idempotencyKey":"\\udbff"}'),
        400,
      ],
      [await post(`/v1/tasks/${taskId}/feedback`, '{"score":1,"notes":"\\u0000","by":"user"}'), 400],
    ];
    for (const [response, status] of answers) await expectClientError(response, status);
    expect(log.at('error')).toEqual([]);
    // And the server still works.
    expect((await post('/v1/sessions', '{"agent":"echo","message":"fine"}')).status).toBe(202);
  });

  it('answers NUL and unpaired surrogates in the arguments of every MCP tool with a tool error', async () => {
    const client = await connectMcp(server.url);
    try {
      const calls: [string, Record<string, unknown>][] = [
        ['delegation_status', { taskId: 'a\u0000b' }],
        ['delegation_cancel', { taskId: 'a\u0000b' }],
        ['delegation_history', { namespace: '\u0000' }],
        ['delegation_history', { profile: 'agent:\ud800' }],
        ['delegate', { agent: 'echo', message: 'a\u0000b' }],
        ['delegate', { agent: 'echo', message: 'm', namespace: '\udc00' }],
        ['delegate_research', { question: 'why\u0000', namespace: 'n' }],
        ['delegate_code', { goal: 'fix it', repoRoot: '/tmp/a\u0000b' }],
        [
          'delegate_feedback',
          { refersTo: { kind: 'task', ref: taskId }, rating: { score: 1, notes: '\u0000' }, by: 'user' },
        ],
      ];
      for (const [name, args] of calls) {
        expect(toolErrorText(await callTool(client, name, args)), name).toMatch(/^invalid_request: /);
      }
      expect(log.at('error')).toEqual([]);
      const status = await callTool(client, 'delegation_status', { taskId });
      expect(status.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('logs an aborted upload at debug level, without a stack, and answers the next request', async () => {
    // Other debug lines (a request's own log line) may interleave: count the aborted ones.
    const abortedLines = () => log.at('debug').filter((line) => line.msg === 'request aborted');
    const before = abortedLines().length;
    const head = `POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\ncontent-type: application/json\r\n`;
    for (let upload = 0; upload < 5; upload += 1) {
      await sendRawBytes(server.port, `${head}content-length: 1000\r\n\r\n{"agent":"echo",`, {
        abortAfterMs: 30,
      });
    }
    await waitFor(() => abortedLines().length >= before + 5, { message: 'five aborted-request lines' });
    const aborted = abortedLines().slice(before);
    expect(aborted).toHaveLength(5);
    for (const line of aborted) {
      expect(line).toMatchObject({ msg: 'request aborted', method: 'POST', path: '/v1/sessions' });
      expect(JSON.stringify(line)).not.toContain('stack');
    }
    expect(log.at('error')).toEqual([]);
    expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
  });
});

describe.each(AVAILABLE)('a server whose $name store fails', (storeCase) => {
  let server: TestServer;
  let opened: Awaited<ReturnType<StoreCase['open']>>;
  const log = capturedLogger();

  beforeAll(async () => {
    opened = await storeCase.open();
    server = await startTestServer({
      workers: 0,
      logger: log.logger,
      ...(opened.store && { store: opened.store }),
    });
    await opened.breakIt(server);
  });
  afterAll(async () => {
    await server.close().catch(() => undefined);
    await opened.cleanUp();
  });

  it('answers 500 with the generic body and keeps the details in the server log', async () => {
    const responses = [
      await fetch(`${server.url}/v1/sessions`),
      await fetch(`${server.url}/v1/tasks?namespace=n`),
      await fetch(`${server.url}/v1/sessions`, {
        method: 'POST',
        headers: json,
        body: '{"agent":"echo","message":"m"}',
      }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: { code: 'internal', message: 'internal server error' },
      });
    }
    const errors = log.at('error');
    expect(errors).toHaveLength(responses.length);
    expect(errors[0]).toMatchObject({
      msg: 'internal error',
      method: 'GET',
      path: '/v1/sessions',
      error: { message: expect.any(String), stack: expect.any(String) },
    });
  });

  it('answers MCP tool calls with a generic internal error that names no database', async () => {
    const client = await connectMcp(server.url);
    try {
      const text = toolErrorText(await callTool(client, 'delegation_status', { taskId: 'task_x' }));
      expect(text).toBe('internal: internal server error');
    } finally {
      await client.close();
    }
  });
});
