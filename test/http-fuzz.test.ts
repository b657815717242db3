import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';
import type { FuzzRequest } from './helpers/http-fuzz-requests.js';
import { generateFuzzRequests } from './helpers/http-fuzz-requests.js';
import type { TestServer } from './helpers/http-server.js';
import { echoAgent, startTestServer } from './helpers/http-server.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import type { RawResponse } from './helpers/raw-http.js';
import { sendRawBytes, sendRequest } from './helpers/raw-http.js';

const TOKEN = 'fuzz-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const REQUESTS_PER_STORE = 1_200;
const IN_FLIGHT = 20;

/** `{ error: { code, message } }`, or on /mcp the transport's JSON-RPC error. */
function isJsonError(response: RawResponse, mcp: boolean): boolean {
  if (!(response.headers['content-type'] ?? '').includes('application/json')) return false;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return false;
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (error === undefined || error === null) return false;
  if (mcp && typeof error.code === 'number') return typeof error.message === 'string';
  return (
    Object.keys(body as object).join() === 'error' &&
    Object.keys(error).sort().join() === 'code,message' &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  );
}

/** Why the answer to `request` is wrong, or `undefined` when it is right. */
function fault(request: FuzzRequest, response: RawResponse | undefined): string | undefined {
  if (request.expect === 'none') return undefined;
  if (response === undefined) return 'no answer';
  if (response.status === 0 || response.status >= 500) return `status ${response.status}`;
  const mcp = request.kind === 'http' && request.path === '/mcp';
  if (response.status >= 400 && !isJsonError(response, mcp)) return 'a 4xx that is not a JSON error';
  if (request.expect === 'error' && response.status < 400) return `status ${response.status}, expected a 4xx`;
  // A tool error caused by bad arguments names them; only a server fault would say `internal`.
  if (mcp && response.text.includes('internal:')) return 'an internal tool error';
  return undefined;
}

function send(port: number, url: string, request: FuzzRequest): Promise<RawResponse | undefined> {
  if (request.kind === 'raw') {
    return sendRawBytes(port, request.bytes, {
      ...(request.abortAfterMs !== undefined && { abortAfterMs: request.abortAfterMs }),
    });
  }
  return sendRequest(url, {
    method: request.method,
    path: request.path,
    headers: request.headers,
    ...(request.body !== undefined && { body: request.body }),
  });
}

const STORES: {
  name: string;
  skip: boolean;
  seed: number;
  open: () => Promise<{ store?: Store; drop(): Promise<void> }>;
}[] = [
  { name: 'SQLite', skip: false, seed: 20250101, open: async () => ({ drop: async () => undefined }) },
  {
    name: 'PostgreSQL',
    skip: process.env.BATON_TEST_NO_POSTGRES === '1',
    seed: 20250102,
    open: async () => {
      const schema = uniqueSchema('fuzz');
      return { store: await openPostgresStore(schemaUrl(schema)), drop: () => dropSchema(schema) };
    },
  },
];

describe.each(STORES)('fuzzing the HTTP API on $name', ({ skip, seed, open }) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  const errorLines: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    const opened = await open();
    drop = opened.drop;
    server = await startTestServer({
      agents: [echoAgent],
      auth: { mode: 'bearer', token: TOKEN },
      token: TOKEN,
      ...(opened.store && { store: opened.store }),
      logger: createLogger({
        level: 'error',
        write: (line) => errorLines.push(line),
      }),
    });
  });

  afterAll(async () => {
    if (skip) return;
    await server.close();
    await drop();
  });

  it.skipIf(skip)(
    `answers ${REQUESTS_PER_STORE} malformed, hostile or random requests without a 5xx and stays healthy`,
    async () => {
      const submitted = await server.client.startSession({ agent: 'echo', message: 'seed' });
      expect(submitted.sessionId).toMatch(/^ses_/);
      const task = await sendRequest(server.url, {
        method: 'POST',
        path: '/v1/tasks',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'agent:echo', args: { message: 'rate me' } }),
      });
      const { taskId } = JSON.parse(task.text) as { taskId: string };
      const requests = generateFuzzRequests(REQUESTS_PER_STORE, seed, {
        authority: `127.0.0.1:${server.port}`,
        auth: AUTH,
        taskId,
      });
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      for (let start = 0; start < requests.length; start += IN_FLIGHT) {
        await Promise.all(
          requests.slice(start, start + IN_FLIGHT).map(async (request) => {
            const response = await send(server.port, server.url, request);
            if (response !== undefined)
              statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const problem = fault(request, response);
            if (problem !== undefined) {
              const what =
                request.kind === 'raw'
                  ? JSON.stringify(request.bytes.slice(0, 80))
                  : `${request.method} ${request.path.slice(0, 80)}`;
              failures.push(`${request.family}: ${what} -> ${problem}: ${response?.text.slice(0, 120)}`);
            }
          }),
        );
      }
      const families = new Set(requests.map((request) => request.family));
      const fiveHundreds = [...statuses]
        .filter(([status]) => status >= 500)
        .reduce((sum, [, n]) => sum + n, 0);
      console.log(
        `fuzz: ${requests.length} requests, ${families.size} families, ${fiveHundreds} x 5xx; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(failures).toEqual([]);
      expect(fiveHundreds).toBe(0);
      expect(families.size).toBe(19);
      // No request, answered or not, was a server fault.
      expect(errorLines).toEqual([]);

      expect(await server.client.health()).toMatchObject({ ok: true });
      const started = await server.client.startSession({ agent: 'echo', message: 'still alive?' });
      let last: string | undefined;
      for await (const event of server.client.stream(started.sessionId)) last = event.type;
      expect(last).toBe('run.completed');
    },
    180_000,
  );
});
