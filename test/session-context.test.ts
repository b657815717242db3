import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextTooLargeError, MAX_CONTEXT_BYTES } from '../src/core/context-key.js';
import type { BatonEvent } from '../src/core/events.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import cartAgent from './fixtures/agents/cart.js';
import type { TestServer } from './helpers/http-server.js';
import { startTestServer } from './helpers/http-server.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

interface SessionBody {
  context: Record<string, unknown>;
  runs: { id: string; status: string }[];
}

const STORES: { name: string; open: () => Promise<{ store?: Store; cleanup: () => Promise<void> }> }[] = [
  { name: 'SQLite', open: async () => ({ cleanup: async () => undefined }) },
  {
    name: 'Postgres',
    open: async () => {
      const schema = uniqueSchema('context');
      return { store: await openPostgresStore(schemaUrl(schema)), cleanup: () => dropSchema(schema) };
    },
  },
];

describe.each(STORES)('durable session context on $name', ({ open }) => {
  let server: TestServer;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await open();
    cleanup = opened.cleanup;
    server = await startTestServer({ agents: [cartAgent], ...(opened.store && { store: opened.store }) });
  });

  afterAll(async () => {
    await server.close();
    await cleanup();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The session once `runs` runs of it have finished. */
  async function settled(sessionId: string, runs: number): Promise<SessionBody> {
    return waitFor(
      async () => {
        const body = (await (await fetch(`${server.url}/v1/sessions/${sessionId}`)).json()) as SessionBody;
        const done = body.runs.filter((run) => run.status === 'succeeded' || run.status === 'failed');
        return done.length >= runs ? body : undefined;
      },
      { timeoutMs: 20_000, message: `${runs} finished runs of ${sessionId}` },
    );
  }

  async function start(message: string, context?: Record<string, unknown>) {
    const response = await post('/v1/sessions', { agent: 'cart', message, ...(context && { context }) });
    expect(response.status).toBe(202);
    return (await response.json()) as { sessionId: string; continuationToken: string };
  }

  const eventsOf = (sessionId: string): Promise<BatonEvent[]> => server.store.readEvents(sessionId);

  it('commits a tool write with its result, shows it in GET /v1/sessions/:id and gives it to the next run', async () => {
    const { sessionId, continuationToken } = await start('add apple', { user: 'ann' });
    const first = await settled(sessionId, 1);
    expect(first.context).toEqual({ user: 'ann', cart: { items: ['apple'] } });

    const events = await eventsOf(sessionId);
    const result = events.find((event) => event.type === 'tool.result');
    const update = events.find((event) => event.type === 'context.updated');
    expect(result?.data).toMatchObject({ ok: true, output: { cart: { items: ['apple'] }, user: 'ann' } });
    // Committed in the same append as the result: the very next event of the log.
    expect(update).toMatchObject({
      seq: (result?.seq ?? -2) + 1,
      data: { key: 'cart', value: { items: ['apple'] } },
    });
    // The next step's dynamic instructions already read the write.
    expect(events.find((event) => event.type === 'run.completed')?.data).toMatchObject({
      text: 'Cart: apple.',
    });

    expect((await post('/v1/messages', { continuationToken, message: 'add pear' })).ok).toBe(true);
    const second = await settled(sessionId, 2);
    expect(second.context).toEqual({ user: 'ann', cart: { items: ['apple', 'pear'] } });
    const secondRun = second.runs[1]?.id;
    const all = await eventsOf(sessionId);
    const secondResult = all.find((event) => event.type === 'tool.result' && event.runId === secondRun);
    expect(secondResult?.data).toMatchObject({ ok: true, output: { cart: { items: ['apple', 'pear'] } } });
  });

  it('turns a value the schema refuses into an invalid_context tool error and commits none of the writes', async () => {
    const { sessionId } = await start('bad');
    const session = await settled(sessionId, 1);
    expect(session.context).toEqual({});
    const events = await eventsOf(sessionId);
    expect(events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
      ok: false,
      error: { code: 'invalid_context', message: expect.stringContaining('cart') },
    });
    expect(events.filter((event) => event.type === 'context.updated')).toEqual([]);
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('refuses writes past the size limit as a context_too_large tool error', async () => {
    const { sessionId } = await start('big');
    const session = await settled(sessionId, 1);
    expect(session.context).toEqual({});
    const events = await eventsOf(sessionId);
    expect(events.find((event) => event.type === 'tool.result')?.data).toMatchObject({
      ok: false,
      error: { code: 'context_too_large' },
    });
    expect(events.filter((event) => event.type === 'context.updated')).toEqual([]);
  });

  it('takes the initial context from start() and refuses one past the limit there and over HTTP', async () => {
    const started = await server.runtime.start({
      agent: 'cart',
      message: 'add fig',
      context: { user: 'bo' },
    });
    expect((await settled(started.sessionId, 1)).context).toEqual({ user: 'bo', cart: { items: ['fig'] } });

    const big = { note: 'x'.repeat(MAX_CONTEXT_BYTES) };
    await expect(server.runtime.start({ agent: 'cart', message: 'hi', context: big })).rejects.toBeInstanceOf(
      ContextTooLargeError,
    );
    const response = await post('/v1/sessions', { agent: 'cart', message: 'hi', context: big });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'context_too_large', message: expect.stringContaining(String(MAX_CONTEXT_BYTES)) },
    });
    const { items } = await server.runtime.listSessions({ limit: 100 });
    expect(items.every((session) => !('note' in session.context))).toBe(true);
  });
});
