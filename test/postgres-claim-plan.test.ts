import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { dropSchema, PG_URL, queriesSentDuring, schemaUrl, uniqueSchema } from './helpers/postgres.js';

let schema: string;

/** Runs `from`..`to` (a session each, agent `agent`), written directly: the plan is what matters here. */
async function queueRuns(client: pg.Client, from: number, to: number, agent = 'agent'): Promise<void> {
  await client.query(
    `INSERT INTO sessions (id, agent, status, context, auth, token_hash, created_at, updated_at)
     SELECT 'ses_' || n, $3, 'running', '{}', '{}', 'hash', '2026-01-01', '2026-01-01'
     FROM generate_series($1::int, $2::int) AS n`,
    [from, to, agent],
  );
  await client.query(
    `INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, usage, result, error,
       cancel_requested, created_at, updated_at)
     SELECT 'run_' || n, 'ses_' || n, $3, 'queued', 0, 'message', 'null', '{}', 'null', 'null', false,
       '2026-01-01', '2026-01-01'
     FROM generate_series($1::int, $2::int) AS n`,
    [from, to, agent],
  );
}

/** The queue claims sent while `work` runs. */
async function queueClaimsSentBy(work: () => Promise<unknown>): Promise<string[]> {
  return (await queriesSentDuring(work)).filter((text) => text.includes('WITH candidate'));
}

/**
 * Claims the oldest run as a worker serving `agent` does, and returns the claimed id with the
 * plan of the message the claim sent, explained (planned again) on `client` in its settings.
 */
async function claimWithPlan(
  store: PostgresStore,
  client: pg.Client,
): Promise<{ id: string | undefined; plan: string }> {
  let id: string | undefined;
  const [sent] = await queueClaimsSentBy(async () => {
    id = (await store.claimRun('worker', 60_000, { filter: { agents: ['agent'] } }))?.run.id;
  });
  // Values written in, no `$n` left: one simple-query message, explained as it was sent.
  if (sent === undefined || /\$\d/.test(sent))
    throw new Error('the queue claim was not sent with its values written in');
  const results = (await client.query(
    sent.replace('WITH candidate', 'EXPLAIN WITH candidate'),
  )) as unknown as {
    rows: { 'QUERY PLAN': string }[];
  }[];
  const plan = (results.at(-1)?.rows ?? []).map((row) => row['QUERY PLAN']).join('\n');
  return { id, plan };
}

describe('postgres claim plan', () => {
  let store: PostgresStore;
  let client: pg.Client;
  beforeEach(async () => {
    schema = uniqueSchema('claim_plan');
    store = await openPostgresStore(schemaUrl(schema));
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
    // Statistics change only when a test says so: autovacuum would analyse after 3,000 inserts.
    await client.query('ALTER TABLE runs SET (autovacuum_enabled = off)');
  });
  afterEach(async () => {
    try {
      await client?.end();
      await store?.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it('claims the oldest run a worker serves by walking the runnable index, not by sorting the backlog', async () => {
    await queueRuns(client, 1, 3000);
    await client.query('ANALYZE runs');
    const { id, plan } = await claimWithPlan(store, client);
    expect(id).toBe('run_1');
    expect(plan).toContain('Index Scan using runs_runnable');
    expect(plan).not.toContain('Seq Scan on runs');
    expect(plan).not.toContain('Sort');
  });

  it('walks the index when the statistics saw no queue: a new table, or one analysed between bursts', async () => {
    // Never analysed: the planner guesses a handful of runnable runs for a backlog of 3,000.
    await queueRuns(client, 1, 3000);
    const fresh = await claimWithPlan(store, client);
    expect(fresh.id).toBe('run_1');
    expect(fresh.plan).toContain('Index Scan using runs_runnable');
    expect(fresh.plan).not.toContain('Sort');
    // Analysed with every run finished, then a burst of 3,000 queued ones.
    await client.query(`UPDATE runs SET status = 'succeeded'`);
    await client.query('ANALYZE runs');
    await queueRuns(client, 3001, 6000);
    const burst = await claimWithPlan(store, client);
    expect(burst.id).toBe('run_3001');
    expect(burst.plan).toContain('Index Scan using runs_runnable');
    expect(burst.plan).not.toContain('Sort');
  });

  it('writes its values in as text: odd agent names match exactly, and the lease token is not in the text', async () => {
    const odd = `it's "odd" \\ {a,b} NULL`;
    await queueRuns(client, 1, 1, 'agent');
    await queueRuns(client, 2, 2, odd);
    let token: string | undefined;
    const [sent] = await queueClaimsSentBy(async () => {
      const claim = await store.claimRun('worker', 60_000, { filter: { agents: [odd, 'NULL'] } });
      expect(claim?.run.id).toBe('run_2');
      token = claim?.lease.token;
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent).toBeDefined();
    expect(sent).not.toContain(token);
    // Nothing else matches the filter: the run of `agent` stays queued.
    expect(await store.claimRun('worker', 60_000, { filter: { agents: [odd, 'NULL'] } })).toBeUndefined();
  });
});
