import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { Runtime } from '../src/runtime/types.js';
import { createApp } from '../src/server/app.js';
import type { RunningServer } from '../src/server/serve.js';
import { serve } from '../src/server/serve.js';
import type { PostgresStore } from '../src/store/postgres/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { echoAgent } from './helpers/http-server.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

// PostgreSQL refuses NUL in text where SQLite stores it: input that only Postgres would choke on
// must still be a 4xx, never the store's error as a 500.
describe('HTTP API on PostgreSQL', () => {
  const schema = uniqueSchema('http');
  let store: PostgresStore;
  let runtime: Runtime;
  let server: RunningServer;
  const internalErrors: unknown[] = [];

  beforeAll(async () => {
    store = await openPostgresStore(schemaUrl(schema));
    runtime = createRuntime({ store, agents: [echoAgent] });
    const app = createApp({ runtime, onInternalError: (error) => internalErrors.push(error) });
    server = await serve({ app, port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await server.close({ graceMs: 100 });
    await runtime.close();
    await store.close();
    await dropSchema(schema);
  });

  it('answers ids and keys PostgreSQL cannot hold with 4xx JSON errors and stays healthy', async () => {
    const post = (path: string, body: string) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const answers = [
      [await fetch(`${server.url}/v1/sessions/a%00b`), 404],
      [await fetch(`${server.url}/v1/sessions/a%00b/stream`), 404],
      [await fetch(`${server.url}/v1/runs/a%00b`), 404],
      [await post('/v1/runs/a%00b/cancel', ''), 404],
      [await post('/v1/sessions', '{"agent":"echo","message":"m","idempotencyKey":"k\\u0000"}'), 400],
    ] as const;
    for (const [response, status] of answers) {
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
    expect(internalErrors).toEqual([]);

    const started = await post(
      '/v1/sessions',
      '{"agent":"echo","message":"still here","idempotencyKey":"k"}',
    );
    expect(started.status).toBe(202);
  });
});
