import { ConflictError, LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { ClaimFilter } from '../claim-filter.js';
import { claimPairs } from '../claim-filter.js';
import type { Page } from '../page.js';
import { decodeCursor } from '../page-cursor.js';
import { buildRunRecord } from '../records.js';
import type { Fence, ListRunsOptions, NewRun, RunPatch, RunRecord } from '../run-store.js';
import { checkLimit } from '../validate.js';
import type { Queryable } from './connection.js';
import { runAssignments } from './patch-sql.js';
import { isUniqueViolation, pageOfRows, prepared } from './query-helpers.js';
import { jsonParam, type RunRow, toRun } from './rows.js';

/** Every column of a run row, for `SELECT` and `RETURNING`. */
export const RUN_COLUMN_NAMES = [
  'id',
  'session_id',
  'agent',
  'status',
  'attempt',
  'started_attempt',
  'kind',
  'input',
  'agent_module',
  'traceparent',
  'pool',
  'active_ms',
  'definition_hash',
  'idempotency_key',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
  'usage',
  'result',
  'error',
  'cancel_requested',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
] as const;

const RUN_COLUMNS = RUN_COLUMN_NAMES.join(', ');

/** Inserts a queued run and marks its session `running`; with a used idempotency key, returns that run instead. */
export async function createRun(db: Queryable, run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
  if (run.idempotencyKey !== null) {
    const existing = await findRunByIdempotencyKey(db, run.idempotencyKey);
    if (existing) return { run: existing, created: false };
  }
  const record = await insertRun(db, run);
  if (record) return { run: record, created: true };
  const winner =
    run.idempotencyKey === null ? undefined : await findRunByIdempotencyKey(db, run.idempotencyKey);
  if (winner) return { run: winner, created: false };
  throw new NotFoundError('session', run.sessionId);
}

/**
 * Inserts a queued run and marks its session `running`, in one statement; undefined when the
 * session does not exist or the idempotency key is taken (a concurrent create with the same
 * key waits for the other to commit, then inserts nothing). A duplicate id is an error.
 */
export async function insertRun(db: Queryable, run: NewRun): Promise<RunRecord | undefined> {
  const record = buildRunRecord(run, new Date().toISOString());
  try {
    // The session row is locked before the insert, as every append locks it before creating a
    // run: two creators of one key then queue on the session instead of deadlocking.
    const inserted = await db.query(
      `WITH session AS (
         SELECT id FROM sessions WHERE id = $2 FOR UPDATE
       ), inserted AS (
         INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, agent_module, traceparent,
           pool, definition_hash, idempotency_key, usage, result, error, cancel_requested, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $12, $13, NULL, $9, $10, 'null', 'null', false, $11, $11
         WHERE EXISTS (SELECT 1 FROM session)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING session_id
       )
       UPDATE sessions SET status = 'running', updated_at = $11 WHERE id IN (SELECT session_id FROM inserted)`,
      [
        record.id,
        record.sessionId,
        record.agent,
        record.status,
        record.attempt,
        record.kind,
        jsonParam(record.input),
        record.agentModule,
        record.idempotencyKey,
        jsonParam(record.usage),
        record.createdAt,
        record.traceparent,
        record.pool,
      ],
    );
    return inserted.rowCount === 1 ? record : undefined;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`run ${run.id} already exists`);
    throw error;
  }
}

/** The run with this id, if any. */
export async function getRun(db: Queryable, id: string): Promise<RunRecord | undefined> {
  const result = await db.query<RunRow>(prepared(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]));
  const row = result.rows[0];
  return row && toRun(row);
}

/** The run created with this idempotency key, if any. */
export async function findRunByIdempotencyKey(db: Queryable, key: string): Promise<RunRecord | undefined> {
  const result = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE idempotency_key = $1`, [key]);
  const row = result.rows[0];
  return row && toRun(row);
}

/** Newest first, optionally for one session, some statuses and what a claim filter matches. */
export async function listRuns(db: Queryable, options: ListRunsOptions): Promise<Page<RunRecord>> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? null : decodeCursor(options.cursor);
  const values: unknown[] = [before, options.sessionId ?? null, options.status ?? null, limit + 1];
  const result = await db.query<RunRow & { pos: string }>(
    `SELECT pos, ${RUN_COLUMNS} FROM runs
     WHERE ($1::bigint IS NULL OR pos < $1) AND ($2::text IS NULL OR session_id = $2)
       AND ($3::text[] IS NULL OR status = ANY($3)) AND ${claimFilterSql(options.filter, values)}
     ORDER BY pos DESC LIMIT $4`,
    values,
  );
  return pageOfRows(result.rows, limit, toRun);
}

/** Distinct agent modules recorded by queued or running runs (of `pool` only, when given). */
export async function listActiveAgentModules(db: Queryable, pool?: string): Promise<string[]> {
  const result = await db.query<{ agent_module: string }>(
    `SELECT DISTINCT agent_module FROM runs WHERE status IN ('queued', 'running') AND agent_module IS NOT NULL
       AND ($1::text IS NULL OR pool = $1)`,
    [pool ?? null],
  );
  return result.rows.map((row) => row.agent_module);
}

/**
 * The SQL condition of a claim filter on `runs` (see `matchesClaimFilter`), its parameters
 * appended to `values`; `true` without a filter. It is wrapped in a scalar sub-select, which
 * the planner takes to keep half the rows: as a plain condition it guessed one row in the
 * whole table, so a worker's claim read and sorted every runnable run instead of walking the
 * runnable index in queue order to the first match (3,000 queued: 5.3 ms against 0.06 ms).
 * That holds with statistics that saw the queue; without them the claim needs its settings too
 * (`inQueueOrder` in lease-queries.ts).
 */
export function claimFilterSql(filter: ClaimFilter | undefined, values: unknown[]): string {
  if (filter === undefined) return 'true';
  const { pool, kinds, pairs, agentKinds, kindAgentPairs } = claimPairs(filter);
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const agentKindsParam = param(agentKinds);
  return `(SELECT runs.pool IS NOT DISTINCT FROM ${param(pool)}::text AND (runs.kind = ANY(${param(kinds)}::text[]) OR EXISTS (
    SELECT 1 FROM unnest(${param(kindAgentPairs.map(([kind]) => kind))}::text[], ${param(kindAgentPairs.map(([, agent]) => agent))}::text[])
      AS served_kind(kind, agent)
    WHERE served_kind.kind = runs.kind AND served_kind.agent = runs.agent) OR (
    (${agentKindsParam}::text[] IS NULL OR runs.kind = ANY(${agentKindsParam}::text[])) AND EXISTS (
    SELECT 1 FROM unnest(${param(pairs.map(([agent]) => agent))}::text[], ${param(pairs.map(([, module]) => module))}::text[])
      AS served(agent, module)
    WHERE served.agent = runs.agent AND (served.module IS NULL OR served.module = runs.agent_module)))))`;
}

/**
 * Applies a run patch. With a fence the update only matches while the lease token is the
 * fence's, checked in the same statement, so a taken-over worker can never write.
 */
export async function updateRun(
  db: Queryable,
  id: string,
  patch: RunPatch,
  now: string,
  fence?: Fence,
): Promise<RunRecord> {
  if (fence && fence.runId !== id) {
    // The fence guards another run: check it under a row lock, then update this one.
    await lockFencedRun(db, fence);
  }
  const { clauses, values } = runAssignments(patch, now, 3);
  const sameRunFence = fence?.runId === id ? fence.token : null;
  const result = await db.query<RunRow>(
    prepared(
      `UPDATE runs SET ${clauses.join(', ')} WHERE id = $1 AND ($2::text IS NULL OR lease_token = $2)
       RETURNING ${RUN_COLUMNS}`,
      [id, sameRunFence, ...values],
    ),
  );
  const row = result.rows[0];
  if (row) return toRun(row);
  if (sameRunFence !== null) throw new LeaseLostError(id);
  throw new NotFoundError('run', id);
}

/** Locks the fenced run's row until the transaction ends; `LeaseLostError` unless the token matches. */
export async function lockFencedRun(db: Queryable, fence: Fence): Promise<void> {
  const result = await db.query('SELECT 1 FROM runs WHERE id = $1 AND lease_token = $2 FOR UPDATE', [
    fence.runId,
    fence.token,
  ]);
  if (result.rowCount === 0) throw new LeaseLostError(fence.runId);
}
