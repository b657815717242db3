import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStoreError } from '../../src/store/postgres/errors.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';

/** The test database server (trust auth on this project's machines); override with `BATON_TEST_PG_URL`. */
export const PG_URL = process.env.BATON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh schema name, unique per call, so test files and processes never share tables. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** `PG_URL` pointing at `schema` through Baton's `?schema=` parameter. */
export function schemaUrl(schema: string, base = PG_URL): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.href;
}

/** Runs SQL as the admin role on `PG_URL` (or another database of the same server). */
export async function adminQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  database?: string,
): Promise<Row[]> {
  const url = new URL(PG_URL);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The text of every query any node-postgres client is asked to send while `work` runs, in order
 * (a simple-query string, or a config's `text`): the driver is where a test sees the statements.
 */
export async function queriesSentDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function recordedQuery(this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    sent.push(typeof first === 'string' ? first : (first?.text ?? ''));
    return (query as (...values: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** Empties Baton's tables in `schema`; DELETE, not DDL, because DDL commits are slow. */
export async function emptySchema(schema: string): Promise<void> {
  const statements = ['events', 'runs', 'sessions', 'blobs', 'tasks'].map(
    (table) => `DELETE FROM ${pg.escapeIdentifier(schema)}.${table};`,
  );
  await adminQuery(statements.join(' '));
}

/** The typed error `openPostgresStore(url)` rejects with (a store that opens fails the test). */
export async function startupError(url: string): Promise<PostgresStoreError> {
  const error = await openPostgresStore(url, { connectTimeoutMs: 3_000 }).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (reason: unknown) => reason,
  );
  // A plain throw, not expect(): the bench imports this module outside vitest.
  if (!(error instanceof PostgresStoreError))
    throw new Error(`expected a PostgresStoreError, got ${String(error)}`);
  return error;
}
