import type { PoolClient } from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { PostgresStoreError } from './errors.js';

/** One numbered schema change; applied once, in order, inside the opening transaction. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, as numbered migrations. Never edit a released migration; add the next number.
 * JSON columns are `json`, not `jsonb`: `json` keeps the text as written and accepts every
 * string JSON can carry (jsonb rejects `\u0000`). `pos` columns order lists and back cursors;
 * lease expiry is epoch milliseconds from the database clock, so machines never disagree.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE sessions (
        pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        agent text NOT NULL,
        status text NOT NULL,
        context json NOT NULL,
        auth json NOT NULL,
        token_hash text NOT NULL,
        head_seq integer,
        head_hash text,
        last_event_at timestamptz,
        created_at text NOT NULL,
        updated_at text NOT NULL
      );
      CREATE INDEX sessions_token_hash ON sessions (token_hash);
      CREATE INDEX sessions_last_event_at ON sessions (last_event_at);

      CREATE TABLE runs (
        pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        session_id text NOT NULL REFERENCES sessions (id),
        agent text NOT NULL,
        status text NOT NULL,
        attempt integer NOT NULL,
        kind text NOT NULL,
        input json NOT NULL,
        definition_hash text,
        idempotency_key text UNIQUE,
        lease_owner text,
        lease_token text,
        lease_expires_at bigint,
        usage json NOT NULL,
        result json,
        error json,
        cancel_requested boolean NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        started_at text,
        finished_at text
      );
      CREATE INDEX runs_session ON runs (session_id, pos);
      CREATE INDEX runs_status ON runs (status, pos);
      CREATE INDEX runs_runnable ON runs (pos) WHERE status IN ('queued', 'running');

      CREATE TABLE events (
        session_id text NOT NULL REFERENCES sessions (id),
        seq integer NOT NULL,
        run_id text NOT NULL,
        type text NOT NULL,
        ts text NOT NULL,
        data json NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (session_id, seq)
      );

      CREATE TABLE blobs (
        hash text PRIMARY KEY,
        bytes bytea NOT NULL,
        size integer NOT NULL,
        created_at text NOT NULL
      );

      CREATE TABLE tasks (
        pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        profile text NOT NULL,
        args json NOT NULL,
        namespace text NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        status text NOT NULL,
        progress json,
        result json,
        error json,
        cost_usd double precision NOT NULL,
        run_id text,
        feedback json NOT NULL,
        created_at text NOT NULL,
        started_at text,
        completed_at text
      );
      CREATE INDEX tasks_run ON tasks (run_id);
      CREATE INDEX tasks_namespace ON tasks (namespace, pos);
    `,
  },
  {
    version: 2,
    name: 'agent module and active time on runs, worker registry',
    sql: `
      -- A session is running while its newest run is queued.
      UPDATE sessions SET status = 'running'
        WHERE id IN (SELECT session_id FROM runs WHERE status = 'queued');
      UPDATE sessions SET status = 'idle' WHERE status = 'completed';

      -- Claims filter on the agent module, so it is a column rather than a field of the input.
      ALTER TABLE runs ADD COLUMN agent_module text;
      UPDATE runs SET agent_module = input ->> 'agentModule' WHERE json_typeof(input -> 'agentModule') = 'string';
      ALTER TABLE runs ADD COLUMN active_ms bigint NOT NULL DEFAULT 0;

      CREATE TABLE workers (
        pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        serves json NOT NULL,
        concurrency integer NOT NULL,
        runs_in_flight integer NOT NULL,
        started_at text NOT NULL,
        last_heartbeat_at text NOT NULL,
        expires_at bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'marks: webhook deliveries seen, schedules paused',
    sql: `
      CREATE TABLE marks (
        scope text NOT NULL,
        key text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 4,
    name: 'trace context on runs',
    sql: `
      -- Every attempt, child run and delegated task of a run joins the trace stored here.
      ALTER TABLE runs ADD COLUMN traceparent text;
    `,
  },
  {
    version: 5,
    name: 'runner pool on runs',
    sql: `
      -- Pool runs are claimed only by runners of their pool (the claim filters on it).
      ALTER TABLE runs ADD COLUMN pool text;
    `,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));

/**
 * Brings `schema` up to {@link SCHEMA_VERSION} in one transaction. A transaction-scoped
 * advisory lock keyed on the schema serialises processes that open the store at the same
 * moment: the first migrates, the others wait, then find nothing left to do.
 */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton:migrate:${schema}`]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // CREATE SCHEMA needs the CREATE right on the database even with IF NOT EXISTS, so a role
    // that was handed an existing schema must not be asked for it.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
    // Postgres silently skips a search_path schema the role may not use, and would then report
    // "no schema has been selected": say what is actually wrong.
    const usable = await client.query<{ usage: boolean }>(
      "SELECT has_schema_privilege(current_user, $1, 'USAGE') AS usage",
      [schema],
    );
    if (!usable.rows[0]?.usage) {
      throw new PostgresStoreError(
        'db_permission_denied',
        `the role may not use schema ${schema}: grant it USAGE and CREATE on the schema, or let Baton create its own`,
      );
    }
    await client.query(`SET LOCAL search_path = ${escapeLiteral(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const versions = new Set(applied.rows.map((row) => row.version));
    const newest = Math.max(0, ...versions);
    if (newest > SCHEMA_VERSION) {
      throw new PostgresStoreError(
        'db_schema_too_new',
        `schema ${schema} is at version ${newest}, newer than this Baton knows (${SCHEMA_VERSION}); upgrade Baton`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (versions.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    // A failed rollback means the connection is gone; the original error says more.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
