import type { RunPatch, SessionPatch } from '../run-store.js';
import type { TaskPatch } from '../task-store.js';
import { toJson } from './rows.js';

/** Column name → SQL value, for the fields a patch sets. */
export type ColumnValues = Record<string, string | number | null>;

/** How each patchable field maps onto columns; JSON fields become text, booleans 0/1. */
type ColumnMapping<Patch> = { [K in keyof Patch]-?: (value: Exclude<Patch[K], undefined>) => ColumnValues };

const SESSION_COLUMNS: ColumnMapping<SessionPatch> = {
  status: (status) => ({ status }),
  context: (context) => ({ context: JSON.stringify(context) }),
  auth: (auth) => ({ auth: JSON.stringify(auth) }),
  tokenHash: (tokenHash) => ({ token_hash: tokenHash }),
  checkpoint: (checkpoint) => ({ checkpoint: toJson(checkpoint) }),
};

const RUN_COLUMNS: ColumnMapping<RunPatch> = {
  status: (status) => ({ status }),
  attempt: (attempt) => ({ attempt }),
  startedAttempt: (startedAttempt) => ({ started_attempt: startedAttempt }),
  definitionHash: (definitionHash) => ({ definition_hash: definitionHash }),
  usage: (usage) => ({ usage: JSON.stringify(usage) }),
  result: (result) => ({ result: toJson(result) }),
  error: (error) => ({ error: toJson(error) }),
  cancelRequested: (cancelRequested) => ({ cancel_requested: cancelRequested ? 1 : 0 }),
  startedAt: (startedAt) => ({ started_at: startedAt }),
  finishedAt: (finishedAt) => ({ finished_at: finishedAt }),
  activeMs: (activeMs) => ({ active_ms: Math.round(activeMs) }),
  lease: (lease) => ({
    lease_owner: lease?.owner ?? null,
    lease_token: lease?.token ?? null,
    lease_expires_at: lease?.expiresAt ?? null,
  }),
};

const TASK_COLUMNS: ColumnMapping<TaskPatch> = {
  status: (status) => ({ status }),
  progress: (progress) => ({ progress: toJson(progress) }),
  result: (result) => ({ result: toJson(result) }),
  error: (error) => ({ error: toJson(error) }),
  costUsd: (costUsd) => ({ cost_usd: costUsd }),
  runId: (runId) => ({ run_id: runId }),
  startedAt: (startedAt) => ({ started_at: startedAt }),
  completedAt: (completedAt) => ({ completed_at: completedAt }),
  feedback: (feedback) => ({ feedback: JSON.stringify(feedback) }),
};

function columnsOf<Patch extends object>(mapping: ColumnMapping<Patch>, patch: Patch): ColumnValues {
  const columns: ColumnValues = {};
  for (const key of Object.keys(patch) as (keyof Patch)[]) {
    const value = patch[key];
    const map = mapping[key];
    // An explicit `undefined` means "not given" (as in the in-memory store); unknown keys are ignored.
    if (value !== undefined && map)
      Object.assign(columns, map(value as Exclude<Patch[keyof Patch], undefined>));
  }
  return columns;
}

/** The columns a session patch sets. */
export function sessionPatchColumns(patch: SessionPatch): ColumnValues {
  return columnsOf(SESSION_COLUMNS, patch);
}

/** The columns a run patch sets. */
export function runPatchColumns(patch: RunPatch): ColumnValues {
  return columnsOf(RUN_COLUMNS, patch);
}

/** The columns a task patch sets. */
export function taskPatchColumns(patch: TaskPatch): ColumnValues {
  return columnsOf(TASK_COLUMNS, patch);
}

/**
 * `UPDATE table SET a = @a, ... WHERE id = @id` for the given columns. The text depends only
 * on which columns are set, so the prepared statement is cached and reused per shape.
 */
export function updateSql(table: string, columns: ColumnValues, returning: boolean): string {
  const assignments = Object.keys(columns)
    .map((column) => `${column} = @${column}`)
    .join(', ');
  return `UPDATE ${table} SET ${assignments} WHERE id = @id${returning ? ' RETURNING *' : ''}`;
}
