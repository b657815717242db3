import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from './helpers/postgres.js';

const schema = uniqueSchema('claim_plan');
afterAll(() => dropSchema(schema));

/** The plan Postgres picks for `sql` with `values`, as text. */
async function planOf(client: pg.Client, sql: string, values: unknown[]): Promise<string> {
  const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values);
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}

describe('postgres claim plan', () => {
  it('claims the oldest run a worker serves by walking the runnable index, not by sorting the backlog', async () => {
    const store = await openPostgresStore(schemaUrl(schema));
    const client = new pg.Client({ connectionString: PG_URL });
    const query = pg.Client.prototype.query;
    try {
      await client.connect();
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      // A backlog of 3,000 queued runs, written directly: the plan is what matters here.
      await client.query(`INSERT INTO sessions (id, agent, status, context, auth, token_hash, created_at, updated_at)
        SELECT 'ses_' || n, 'agent', 'running', '{}', '{}', 'hash', '2026-01-01', '2026-01-01'
        FROM generate_series(1, 3000) AS n`);
      await client.query(`INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, usage, result, error,
          cancel_requested, created_at, updated_at)
        SELECT 'run_' || n, 'ses_' || n, 'agent', 'queued', 0, 'message', 'null', '{}', 'null', 'null', false,
          '2026-01-01', '2026-01-01'
        FROM generate_series(1, 3000) AS n`);
      await client.query('ANALYZE runs');
      const claims: { text: string; values: unknown[] }[] = [];
      pg.Client.prototype.query = function capturedQuery(this: pg.Client, ...args: unknown[]) {
        const first = args[0] as string | { text?: string; values?: unknown[] };
        const text = typeof first === 'string' ? first : (first.text ?? '');
        const values = typeof first === 'string' ? (args[1] as unknown[]) : (first.values ?? []);
        if (text.includes('WITH candidate')) claims.push({ text, values });
        return (query as (...values: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      const claim = await store.claimRun('worker', 60_000, { filter: { agents: ['agent'] } });
      pg.Client.prototype.query = query;
      expect(claim?.run.id).toBe('run_1');
      const [sent] = claims;
      if (!sent) throw new Error('the claim statement was not seen');
      const plan = await planOf(client, sent.text, sent.values);
      expect(plan).toContain('Index Scan using runs_runnable');
      expect(plan).not.toContain('Seq Scan on runs');
    } finally {
      pg.Client.prototype.query = query;
      await client.end();
      await store.close();
    }
  });
});
