import { ConflictError, LeaseLostError, NotFoundError } from '../../core/errors.js';
import { decodeCursor } from '../page-cursor.js';
import { buildRunRecord } from '../records.js';
import type { Fence, NewRun, Page, RunPatch, RunRecord, RunStatus } from '../store.js';
import { checkLimit } from '../validate.js';
import type { Queryable } from './connection.js';
import { runAssignments } from './patch-sql.js';
import { isUniqueViolation, pageOf, prepared } from './query-helpers.js';
import { jsonParam, type RunRow, toRun } from './rows.js';

/** Every column of a run row, for `SELECT` and `RETURNING`. */
export const RUN_COLUMN_NAMES = [
  'id',
  'session_id',
  'agent',
  'status',
  'attempt',
  'kind',
  'input',
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

/** Inserts a queued run; with a used idempotency key, returns that run instead. */
export async function createRun(db: Queryable, run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
  if (run.idempotencyKey !== null) {
    const existing = await findRunByIdempotencyKey(db, run.idempotencyKey);
    if (existing) return { run: existing, created: false };
  }
  const record = buildRunRecord(run, new Date().toISOString());
  try {
    // Only the idempotency key may collide quietly (a concurrent create with the same key);
    // a duplicate id is still an error.
    const inserted = await db.query(
      `INSERT INTO runs (id, session_id, agent, status, attempt, kind, input, definition_hash, idempotency_key,
         usage, result, error, cancel_requested, created_at, updated_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, 'null', 'null', false, $10, $10
       WHERE EXISTS (SELECT 1 FROM sessions WHERE id = $2)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        record.id,
        record.sessionId,
        record.agent,
        record.status,
        record.attempt,
        record.kind,
        jsonParam(record.input),
        record.idempotencyKey,
        jsonParam(record.usage),
        record.createdAt,
      ],
    );
    if (inserted.rowCount === 1) return { run: record, created: true };
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`run ${run.id} already exists`);
    throw error;
  }
  const winner =
    run.idempotencyKey === null ? undefined : await findRunByIdempotencyKey(db, run.idempotencyKey);
  if (winner) return { run: winner, created: false };
  throw new NotFoundError('session', run.sessionId);
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

/** Newest first, optionally for one session and some statuses. */
export async function listRuns(
  db: Queryable,
  options: { sessionId?: string; status?: RunStatus[]; limit: number; cursor?: string },
): Promise<Page<RunRecord>> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? null : decodeCursor(options.cursor);
  const result = await db.query<RunRow & { pos: string }>(
    `SELECT pos, ${RUN_COLUMNS} FROM runs
     WHERE ($1::bigint IS NULL OR pos < $1) AND ($2::text IS NULL OR session_id = $2)
       AND ($3::text[] IS NULL OR status = ANY($3))
     ORDER BY pos DESC LIMIT $4`,
    [before, options.sessionId ?? null, options.status ?? null, limit + 1],
  );
  return pageOf(result.rows, limit, toRun);
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
