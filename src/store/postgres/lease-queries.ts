import { newSecret } from '../../core/ids.js';
import type { Claim, ClaimOptions, Fence } from '../run-store.js';
import { checkTtl } from '../validate.js';
import type { Queryable } from './connection.js';
import { prepared } from './query-helpers.js';
import { type RunRow, toRun } from './rows.js';
import { claimFilterSql, RUN_COLUMN_NAMES } from './run-queries.js';

/**
 * Now, in epoch ms on the database clock. Lease times come from it, so workers on machines
 * with skewed clocks agree on when a lease expires.
 */
export const DB_NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

// The claim joins other relations, so the returned columns are qualified with the table.
const RETURNED_COLUMNS = RUN_COLUMN_NAMES.map((column) => `runs.${column}`).join(', ');

/** A claim, and its session's head as the claim's snapshot saw it (a hint for the first append). */
export interface ClaimWithHead {
  claim: Claim;
  head: { seq: number; hash: string } | undefined;
}

/**
 * Claims the oldest runnable run: `queued`, or `running` with an expired or released lease.
 * `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over a row another one is taking,
 * so each run goes to exactly one claimer and nobody waits on anybody. The claim of one run
 * (`runId`, as `execute` does once per run) is a named prepared statement: planning it took
 * about twice as long as running it, and its plan, the primary key, fits any values. The claim
 * of the queue's oldest is planned each time: the generic plan of a filtered claim sorts every
 * runnable run (46 ms with 3,000 queued, against an index scan that stops at the first match).
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
    newSecret(),
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
       lease_token = $3,
       lease_expires_at = claimed.now_ms + $4,
       started_at = COALESCE(started_at, $5),
       updated_at = $5
     FROM candidate, claimed, sessions
     WHERE runs.id = candidate.id AND sessions.id = runs.session_id
     RETURNING ${RETURNED_COLUMNS}, sessions.head_seq AS claim_head_seq, sessions.head_hash AS claim_head_hash`;
  const result = await db.query<RunRow & { claim_head_seq: number | null; claim_head_hash: string | null }>(
    byId ? prepared(sql, values) : { text: sql, values },
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const run = toRun(row);
  if (!run.lease) return undefined;
  const head =
    row.claim_head_seq !== null && row.claim_head_hash !== null
      ? { seq: row.claim_head_seq, hash: row.claim_head_hash }
      : undefined;
  return { claim: { run, lease: { ...run.lease } }, head };
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
