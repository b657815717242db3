import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Page } from '../page.js';
import { decodeCursor } from '../page-cursor.js';
import { buildTaskRecord, TERMINAL_TASK_STATUSES } from '../records.js';
import type { ListTasksOptions, NewTask, TaskPatch, TaskRecord } from '../task-store.js';
import { checkLimit } from '../validate.js';
import type { Queryable } from './connection.js';
import { taskAssignments } from './patch-sql.js';
import { isUniqueViolation, pageOfRows } from './query-helpers.js';
import { jsonParam, type TaskRow, toTask } from './rows.js';

const TASK_COLUMNS = `id, profile, args, namespace, idempotency_key, status, progress, result, error, cost_usd,
  run_id, feedback, created_at, started_at, completed_at`;

async function findOne(db: Queryable, where: string, value: string): Promise<TaskRecord | undefined> {
  const result = await db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE ${where} = $1 ORDER BY pos LIMIT 1`,
    [value],
  );
  const row = result.rows[0];
  return row && toTask(row);
}

/** The task with this id, if any. */
export function getTask(db: Queryable, id: string): Promise<TaskRecord | undefined> {
  return findOne(db, 'id', id);
}

/** The task created with this idempotency key, if any. */
export function findTaskByIdempotencyKey(db: Queryable, key: string): Promise<TaskRecord | undefined> {
  return findOne(db, 'idempotency_key', key);
}

/** The task backed by this run, if any. */
export function findTaskByRunId(db: Queryable, runId: string): Promise<TaskRecord | undefined> {
  return findOne(db, 'run_id', runId);
}

/** Inserts a pending task; with a used idempotency key, returns that task instead. */
export async function createTask(
  db: Queryable,
  task: NewTask,
): Promise<{ task: TaskRecord; created: boolean }> {
  const existing = await findTaskByIdempotencyKey(db, task.idempotencyKey);
  if (existing) return { task: existing, created: false };
  const record = buildTaskRecord(task, new Date().toISOString());
  try {
    const inserted = await db.query(
      `INSERT INTO tasks (id, profile, args, namespace, idempotency_key, status, progress, result, error, cost_usd,
         run_id, feedback, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, 'null', NULL, $7, $8, '[]', $9)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        record.id,
        record.profile,
        jsonParam(record.args),
        record.namespace,
        record.idempotencyKey,
        record.status,
        record.costUsd,
        record.runId,
        record.createdAt,
      ],
    );
    if (inserted.rowCount === 1) return { task: record, created: true };
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`task ${task.id} already exists`);
    throw error;
  }
  // A concurrent create with the same key won the insert: hand back its task.
  const winner = await findTaskByIdempotencyKey(db, task.idempotencyKey);
  if (!winner) throw new ConflictError(`task ${task.id} could not be created`);
  return { task: winner, created: false };
}

/** Newest first, filtered; `since` keeps tasks created at or after that ISO time. */
export async function listTasks(db: Queryable, options: ListTasksOptions): Promise<Page<TaskRecord>> {
  const limit = checkLimit(options.limit);
  const before = options.cursor === undefined ? null : decodeCursor(options.cursor);
  const result = await db.query<TaskRow & { pos: string }>(
    `SELECT pos, ${TASK_COLUMNS} FROM tasks
     WHERE ($1::bigint IS NULL OR pos < $1) AND ($2::text IS NULL OR namespace = $2)
       AND ($3::text IS NULL OR profile = $3) AND ($4::text IS NULL OR created_at >= $4)
       AND ($5::text[] IS NULL OR status = ANY($5))
     ORDER BY pos DESC LIMIT $6`,
    [
      before,
      options.namespace ?? null,
      options.profile ?? null,
      options.since ?? null,
      options.status ?? null,
      limit + 1,
    ],
  );
  return pageOfRows(result.rows, limit, toTask);
}

/** Applies a task patch; `NotFoundError` when there is no such task. */
export async function updateTask(db: Queryable, id: string, patch: TaskPatch): Promise<TaskRecord> {
  const { clauses, values } = taskAssignments(patch, 2);
  const result =
    clauses.length === 0
      ? await db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id])
      : await db.query<TaskRow>(
          `UPDATE tasks SET ${clauses.join(', ')} WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
          [id, ...values],
        );
  const row = result.rows[0];
  if (!row) throw new NotFoundError('task', id);
  return toTask(row);
}

/** Deletes the oldest terminal tasks beyond the newest `keep` terminal ones. */
export async function pruneTasks(db: Queryable, keep: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM tasks WHERE id IN (
       SELECT id FROM tasks WHERE status = ANY($1) ORDER BY pos DESC OFFSET $2
     )`,
    [TERMINAL_TASK_STATUSES, Math.max(0, Math.floor(keep))],
  );
  return result.rowCount ?? 0;
}
