import { escapeLiteral, type QueryResult } from 'pg';
import type { Claim, ClaimOptions, Fence, SessionRecord } from '../run-store.js';
import { checkTtl } from '../validate.js';
import type { Queryable } from './connection.js';
import { prepared } from './query-helpers.js';
import { type EventRow, type RunRow, type SessionRow, toEvent, toRun, toSession } from './rows.js';
import { claimFilterSql, RUN_COLUMN_NAMES } from './run-queries.js';

/**
 * Now, in epoch ms on the database clock. Lease times come from it, so workers on machines
 * with skewed clocks agree on when a lease expires.
 */
export const DB_NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

// The claim joins other relations, so the returned columns are qualified with the table.
const RETURNED_COLUMNS = RUN_COLUMN_NAMES.map((column) => `runs.${column}`).join(', ');

/** The most events a claim brings back with the run (see {@link CLAIMED_EVENTS}). */
const MAX_CLAIMED_EVENTS = 64;
/**
 * The most event data a claim brings back, as stored (`pg_column_size`: compressed, and known
 * without fetching a value kept out of line): a few large tool results are read as rows. What
 * Postgres's compression can hold in this, a few tens of MB at most, is far below any string limit.
 */
const MAX_CLAIMED_BYTES = 256 * 1024;

/**
 * The seq of the session's checkpoint pointer; NULL without one, or for one that is not a small
 * whole number (never written by Baton): a cast that failed would fail every claim of the queue.
 */
const CHECKPOINT_SEQ = `CASE WHEN json_typeof(sessions.checkpoint->'seq') = 'number'
         AND sessions.checkpoint->>'seq' ~ '^[0-9]{1,9}$' THEN (sessions.checkpoint->>'seq')::integer END`;

/** The session's events after its checkpoint pointer (all of them without a readable one). */
const AFTER_CHECKPOINT = `FROM events
             WHERE events.session_id = sessions.id AND events.seq > COALESCE(${CHECKPOINT_SEQ}, -1)`;

/**
 * Those events, oldest first, when there are at most {@link MAX_CLAIMED_EVENTS} holding at most
 * {@link MAX_CLAIMED_BYTES} of data; NULL otherwise (the attempt reads them, row by row). A run's
 * first load needs exactly these, so a short session's run reads no log of its own: one round
 * trip fewer per run. The size is summed before anything is aggregated, and without reading
 * the values: one aggregate of a few large results could pass a string limit (Postgres's 1 GB,
 * V8's in the driver) and fail every claim of the queue's oldest run. Nested cases, not AND: a
 * CASE evaluates its conditions in order, so a long log is never summed.
 */
const CLAIMED_EVENTS = `CASE WHEN COALESCE(sessions.head_seq, -1) - COALESCE(${CHECKPOINT_SEQ}, -1) <= ${MAX_CLAIMED_EVENTS} THEN
       CASE WHEN (SELECT COALESCE(sum(pg_column_size(data)), 0) ${AFTER_CHECKPOINT}) <= ${MAX_CLAIMED_BYTES} THEN
         COALESCE((
           SELECT json_agg(logged ORDER BY logged.seq) FROM (
             SELECT session_id, seq, run_id, type, ts, data, hash ${AFTER_CHECKPOINT}
           ) AS logged), '[]'::json)
       END
     END`;

/**
 * A fresh lease token, made by the database: the queue claim's text carries its values (see
 * {@link inQueueOrder}), and a statement's text shows in `pg_stat_activity` and in the server's
 * log of a failed statement. 32 bytes of two v4 UUIDs (244 of their bits random, from the
 * server's strong random source), base64url.
 */
const NEW_LEASE_TOKEN = `translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/=', '-_')`;

/** A claim (with its session), and the session's head as the claim's snapshot saw it (a hint for the first append). */
export interface ClaimWithHead {
  claim: Claim & { session: SessionRecord };
  head: { seq: number; hash: string } | undefined;
}

/**
 * Claims the oldest runnable run: `queued`, or `running` with an expired or released lease.
 * `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over a row another one is taking,
 * so each run goes to exactly one claimer and nobody waits on anybody. The claim of one run
 * (`runId`, as `execute` does once per run) is a named prepared statement: planning it took
 * about twice as long as running it, and its plan, the primary key, fits any values. The claim
 * of the queue's oldest is planned each time, with its values written in (see
 * {@link inQueueOrder}): a plan that sorts every runnable run instead of walking them in order
 * is O(backlog) per claim (the generic plan: 46 ms at 3,000 queued).
 */
export async function claimRun(
  db: Queryable,
  owner: string,
  ttlMs: number,
  options: ClaimOptions = {},
): Promise<ClaimWithHead | undefined> {
  const values: unknown[] = [
    options.runId ?? null,
    owner,
    Math.ceil(checkTtl(ttlMs)),
    new Date().toISOString(),
  ];
  const byId = options.runId !== undefined;
  const sql = `WITH candidate AS (
       SELECT id FROM runs
       WHERE status IN ('queued', 'running') AND ${byId ? 'id = $1' : '$1::text IS NULL'}
         AND (status = 'queued' OR lease_expires_at IS NULL OR lease_expires_at <= ${DB_NOW_MS})
         AND ${claimFilterSql(options.filter, values)}
       ORDER BY pos
       LIMIT 1
       FOR UPDATE SKIP LOCKED
     ), claimed AS (
       SELECT ${DB_NOW_MS} AS now_ms
     )
     UPDATE runs SET
       status = 'running',
       lease_owner = $2,
       lease_token = ${NEW_LEASE_TOKEN},
       lease_expires_at = claimed.now_ms + $3,
       started_at = COALESCE(started_at, $4),
       updated_at = $4
     FROM candidate, claimed, sessions
     WHERE runs.id = candidate.id AND sessions.id = runs.session_id
     RETURNING ${RETURNED_COLUMNS}, row_to_json(sessions) AS claim_session, ${CLAIMED_EVENTS} AS claim_events`;
  // The queue claim is three statements in one message: its result is the last of three.
  const sent: ClaimResult | ClaimResult[] = await db.query<ClaimRow>(
    byId ? prepared(sql, values) : inQueueOrder(sql, values),
  );
  const row = (Array.isArray(sent) ? (sent as ClaimResult[]).at(-1) : sent)?.rows[0];
  if (!row) return undefined;
  const run = toRun(row);
  if (!run.lease) return undefined;
  const session = toSession(row.claim_session);
  const head =
    session.headSeq !== null && session.headHash !== null
      ? { seq: session.headSeq, hash: session.headHash }
      : undefined;
  const events = row.claim_events?.map(toEvent);
  return { claim: { run, lease: { ...run.lease }, session, ...(events && { events }) }, head };
}

/**
 * The claimed run's row, with its session's row as JSON (`row_to_json`: the same keys and values)
 * and its events as {@link CLAIMED_EVENTS} gives them (the `json` data column's text as stored).
 */
type ClaimRow = RunRow & { claim_session: SessionRow; claim_events: EventRow[] | null };
type ClaimResult = QueryResult<ClaimRow>;

/**
 * The queue claim `sql` with its `values` written in as literals, after settings that make one
 * plan by far the cheapest: walking `runs_runnable` in queue order and stopping at the first
 * match. Left to its statistics, a planner that last saw the queue empty (a new table, or one
 * analysed between bursts) guesses a handful of runnable runs and prefers to collect and sort
 * them all, O(backlog) per claim until autovacuum analyses again. The settings are `SET LOCAL`,
 * in the implicit transaction of one simple-query message: one round trip, nothing left on the
 * pooled connection (so never send it inside a transaction, where they would outlive it). A
 * parameterised statement could not carry them.
 */
function inQueueOrder(sql: string, values: readonly unknown[]): string {
  const inlined = sql.replace(/\$(\d+)/g, (_, index: string) => {
    const position = Number(index) - 1;
    if (position >= values.length) throw new RangeError(`the claim has no parameter $${index}`);
    return literal(values[position]);
  });
  return `SET LOCAL enable_bitmapscan TO off; SET LOCAL enable_sort TO off; ${inlined}`;
}

/** A claim value (null, a number, text, or a list of text) as an SQL literal. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
  if (typeof value === 'string') return escapeLiteral(value);
  if (Array.isArray(value) && value.every((item) => item == null || typeof item === 'string'))
    return `${escapeLiteral(textArray(value))}::text[]`;
  throw new TypeError(`a claim value cannot be ${typeof value}`);
}

/** A list of text (null items allowed) in Postgres' array input syntax, items quoted. */
function textArray(items: readonly (string | null | undefined)[]): string {
  const quoted = items.map((item) => (item == null ? 'NULL' : `"${item.replace(/[\\"]/g, '\\$&')}"`));
  return `{${quoted.join(',')}}`;
}

/** Extends the lease when the token still matches (recording `activeMs` when given); false when it was lost. */
export async function renewLease(
  db: Queryable,
  fence: Fence,
  ttlMs: number,
  activeMs: number | undefined,
): Promise<boolean> {
  const result = await db.query(
    prepared(
      `UPDATE runs SET lease_expires_at = ${DB_NOW_MS} + $3, active_ms = COALESCE($4::bigint, active_ms)
       WHERE id = $1 AND lease_token = $2`,
      [
        fence.runId,
        fence.token,
        Math.ceil(checkTtl(ttlMs)),
        activeMs === undefined ? null : Math.round(activeMs),
      ],
    ),
  );
  return result.rowCount === 1;
}

/** Clears the lease when the token still matches; the run keeps its status. */
export async function releaseLease(db: Queryable, fence: Fence): Promise<void> {
  await db.query(
    prepared(
      `UPDATE runs SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = $3
       WHERE id = $1 AND lease_token = $2`,
      [fence.runId, fence.token, new Date().toISOString()],
    ),
  );
}
