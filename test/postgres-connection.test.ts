import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../src/core/events.js';
import { verifyChain } from '../src/core/events.js';
import { PostgresStoreError } from '../src/store/postgres/errors.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { MIGRATIONS } from '../src/store/postgres/migrations.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { CuttableProxy } from './helpers/cuttable-proxy.js';
import { adminQuery, dropSchema, PG_URL, schemaUrl, startupError, uniqueSchema } from './helpers/postgres.js';

const schemas: string[] = [];
function freshSchema(): string {
  const schema = uniqueSchema('conn');
  schemas.push(schema);
  return schema;
}
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

async function seedSession(store: Store, runId = `run_${randomBytes(4).toString('hex')}`): Promise<string> {
  const id = `ses_${randomBytes(6).toString('hex')}`;
  await store.createSession({ id, agent: 'agent', context: {}, auth: {}, tokenHash: id });
  await store.createRun({
    id: runId,
    sessionId: id,
    agent: 'agent',
    kind: 'message',
    input: {},
    idempotencyKey: null,
  });
  return id;
}

function step(step: number) {
  return [{ type: 'step.started' as const, data: { step } }];
}

describe('postgres store migrations', () => {
  it('migrates a fresh schema exactly once when several processes open it at the same moment', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(schemaUrl(schema))));
    await Promise.all(stores.map((store) => store.close()));
    const rows = await adminQuery(`SELECT version FROM "${schema}".schema_migrations`);
    expect(rows).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
  });

  it('keeps its data across a reopen without running a migration again', async () => {
    const schema = freshSchema();
    const first = await openPostgresStore(schemaUrl(schema));
    const sessionId = await seedSession(first);
    await first.close();
    const before = await adminQuery(`SELECT applied_at FROM "${schema}".schema_migrations ORDER BY version`);
    const second = await openPostgresStore(schemaUrl(schema));
    expect((await second.getSession(sessionId))?.id).toBe(sessionId);
    await second.close();
    expect(await adminQuery(`SELECT applied_at FROM "${schema}".schema_migrations ORDER BY version`)).toEqual(
      before,
    );
  });

  it('selects the schema through options=-c search_path in the URL', async () => {
    const schema = freshSchema();
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = await openPostgresStore(url.href);
    await seedSession(store);
    await store.close();
    expect(await adminQuery(`SELECT count(*)::int AS n FROM "${schema}".sessions`)).toEqual([{ n: 1 }]);
  });

  it('refuses a schema migrated by a newer Baton', async () => {
    const schema = freshSchema();
    await (await openPostgresStore(schemaUrl(schema))).close();
    await adminQuery(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (999, 'future')`);
    expect((await startupError(schemaUrl(schema))).code).toBe('db_schema_too_new');
  });
});

describe('postgres store appends from several processes', () => {
  it('keeps one session gapless and its chain valid when two stores append to it at once', async () => {
    const schema = freshSchema();
    const [one, two] = await Promise.all([
      openPostgresStore(schemaUrl(schema)),
      openPostgresStore(schemaUrl(schema)),
    ]);
    try {
      const runId = 'run_shared';
      const sessionId = await seedSession(one, runId);
      // Each store caches the head it last wrote, so the other's appends make it miss and retry.
      await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          (index % 2 === 0 ? one : two).append(sessionId, [...step(index), ...step(index)], { runId }),
        ),
      );
      const log = await one.readEvents(sessionId);
      expect(log.map((event) => event.seq)).toEqual(Array.from({ length: 60 }, (_, index) => index));
      expect(verifyChain(log)).toMatchObject({ ok: true, count: 60 });
      expect(await two.head(sessionId)).toEqual({ seq: 59, hash: log.at(-1)?.hash });
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('postgres store notifications', () => {
  it('delivers each event once and in order despite stale, repeated, early and malformed notifications', async () => {
    const schema = freshSchema();
    const reader = await openPostgresStore(schemaUrl(schema));
    const writer = await openPostgresStore(schemaUrl(schema));
    const channel = `baton_events.${schema}`;
    try {
      const runId = 'run_noise';
      const sessionId = await seedSession(writer, runId);
      const seen: BatonEvent[] = [];
      const unsubscribe = reader.subscribe(sessionId, (event) => seen.push(event));
      await writer.append(sessionId, [...step(0), ...step(1)], { runId });
      await waitFor(() => seen.length === 2, { timeoutMs: 5_000, message: 'the first events' });
      for (const payload of [`0 1 ${sessionId}`, `0 0 ${sessionId}`, `5 9 ${sessionId}`, 'garbage', `1 1`]) {
        await adminQuery('SELECT pg_notify($1, $2)', [channel, payload]);
      }
      await writer.append(sessionId, step(2), { runId });
      await waitFor(() => seen.length >= 3, { timeoutMs: 5_000, message: 'the third event' });
      await writer.append(sessionId, step(3), { runId });
      await waitFor(() => seen.length >= 4, { timeoutMs: 5_000, message: 'the fourth event' });
      expect(seen.map((event) => event.seq)).toEqual([0, 1, 2, 3]);
      unsubscribe();
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe('postgres store connections', () => {
  it('keeps the pool within its configured size', async () => {
    const schema = freshSchema();
    const applicationName = `baton_pool_${randomBytes(4).toString('hex')}`;
    const store = await openPostgresStore(schemaUrl(schema), { poolSize: 2, applicationName });
    try {
      const sessionId = await seedSession(store);
      await Promise.all(Array.from({ length: 20 }, () => store.readEvents(sessionId)));
      const rows = await adminQuery(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(rows[0]?.n).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('rejects an operation whose connection is lost, commits nothing, and serves the next one', async () => {
    const schema = freshSchema();
    const applicationName = `baton_lost_${randomBytes(4).toString('hex')}`;
    const store = await openPostgresStore(schemaUrl(schema), { applicationName });
    try {
      const runId = 'run_lost';
      const sessionId = await seedSession(store, runId);
      await store.append(sessionId, step(0), { runId });
      // Another session holds the session row, so the append waits inside its transaction.
      const blocker = new (await import('pg')).default.Client({ connectionString: PG_URL });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}".sessions WHERE id = $1 FOR UPDATE`, [sessionId]);
      const pending = store.append(sessionId, step(1), { runId }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      let killed = 0;
      while (killed === 0) {
        const rows = await adminQuery(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
           WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [applicationName],
        );
        killed = rows.length;
      }
      const error = await pending;
      await blocker.query('ROLLBACK');
      await blocker.end();
      expect(error).toBeInstanceOf(PostgresStoreError);
      expect((error as PostgresStoreError).code).toBe('db_unavailable');
      expect((await store.readEvents(sessionId)).map((event) => event.seq)).toEqual([0]);
      const next = await store.append(sessionId, step(1), { runId });
      expect(next[0]?.seq).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('fails fast while the database is unreachable and recovers on its own when it is back', async () => {
    const schema = freshSchema();
    const proxy = new CuttableProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432));
    await proxy.start();
    const url = new URL(schemaUrl(schema));
    url.host = `127.0.0.1:${proxy.port}`;
    const store = await openPostgresStore(url.href, { connectTimeoutMs: 2_000 });
    try {
      const sessionId = await seedSession(store);
      await proxy.cut();
      const failures = await Promise.all(
        Array.from({ length: 3 }, () =>
          store.getSession(sessionId).then(
            () => undefined,
            (error: unknown) => error,
          ),
        ),
      );
      for (const failure of failures) expect((failure as PostgresStoreError).code).toBe('db_unavailable');
      await proxy.restore();
      // Until the pool reconnects, reads keep failing with db_unavailable.
      const session = await waitFor(() => store.getSession(sessionId).catch(() => undefined), {
        timeoutMs: 15_000,
        intervalMs: 50,
        message: 'the store to answer again',
      });
      expect(session).toMatchObject({ id: sessionId });
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('delivers events committed through another connection, and catches up after LISTEN was lost', async () => {
    const schema = freshSchema();
    const applicationName = `baton_listen_${randomBytes(4).toString('hex')}`;
    const reader = await openPostgresStore(schemaUrl(schema), { applicationName });
    const writer = await openPostgresStore(schemaUrl(schema));
    try {
      const runId = 'run_feed';
      const sessionId = await seedSession(writer, runId);
      const seen: BatonEvent[] = [];
      const unsubscribe = reader.subscribe(sessionId, (event) => seen.push(event));
      await writer.append(sessionId, step(0), { runId });
      await waitFor(() => seen.length === 1, { timeoutMs: 5_000, message: 'the first event' });
      await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        `${applicationName}:listen`,
      ]);
      await writer.append(sessionId, step(1), { runId });
      await writer.append(sessionId, step(2), { runId });
      await waitFor(() => seen.length === 3, {
        timeoutMs: 10_000,
        message: 'the events committed while LISTEN was down',
      });
      await writer.append(sessionId, step(3), { runId });
      await waitFor(() => seen.length === 4, { timeoutMs: 10_000, message: 'the event after the reconnect' });
      expect(seen.map((event) => event.seq)).toEqual([0, 1, 2, 3]);
      unsubscribe();
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
