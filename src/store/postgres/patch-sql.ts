import type { RunPatch, SessionPatch } from '../run-store.js';
import type { TaskPatch } from '../task-store.js';
import { jsonParam } from './rows.js';

/** `SET` assignments for an `UPDATE`, with their parameters numbered after the caller's. */
export interface Assignments {
  clauses: string[];
  values: unknown[];
}

type ColumnMap = Record<string, { column: string; json?: boolean }>;

const SESSION_COLUMNS: ColumnMap = {
  status: { column: 'status' },
  context: { column: 'context', json: true },
  auth: { column: 'auth', json: true },
  tokenHash: { column: 'token_hash' },
  checkpoint: { column: 'checkpoint', json: true },
};

const RUN_COLUMNS: ColumnMap = {
  status: { column: 'status' },
  attempt: { column: 'attempt' },
  startedAttempt: { column: 'started_attempt' },
  definitionHash: { column: 'definition_hash' },
  usage: { column: 'usage', json: true },
  result: { column: 'result', json: true },
  error: { column: 'error', json: true },
  cancelRequested: { column: 'cancel_requested' },
  startedAt: { column: 'started_at' },
  finishedAt: { column: 'finished_at' },
  activeMs: { column: 'active_ms' },
};

const TASK_COLUMNS: ColumnMap = {
  status: { column: 'status' },
  progress: { column: 'progress', json: true },
  result: { column: 'result', json: true },
  error: { column: 'error', json: true },
  costUsd: { column: 'cost_usd' },
  runId: { column: 'run_id' },
  startedAt: { column: 'started_at' },
  completedAt: { column: 'completed_at' },
  feedback: { column: 'feedback', json: true },
};

// An explicit `undefined` means "not given"; clearing a field is spelled `null` (as in records.ts).
function assign(patch: object, columns: ColumnMap, firstIndex: number): Assignments {
  const clauses: string[] = [];
  const values: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const spec = columns[field];
    if (value === undefined || spec === undefined) continue;
    values.push(spec.json ? jsonParam(value) : value);
    clauses.push(`${spec.column} = $${firstIndex + values.length - 1}`);
  }
  return { clauses, values };
}

/** Assignments for a session patch, `updated_at` included. */
export function sessionAssignments(patch: SessionPatch, now: string, firstIndex: number): Assignments {
  return assign(
    { ...patch, updatedAt: now },
    { ...SESSION_COLUMNS, updatedAt: { column: 'updated_at' } },
    firstIndex,
  );
}

/** Assignments for a run patch, `updated_at` included; `lease` spreads over its three columns. */
export function runAssignments(patch: RunPatch, now: string, firstIndex: number): Assignments {
  const { lease, ...fields } = patch;
  const flat: Record<string, unknown> = { ...fields, updatedAt: now };
  if (lease !== undefined) {
    flat.leaseOwner = lease?.owner ?? null;
    flat.leaseToken = lease?.token ?? null;
    flat.leaseExpiresAt = lease?.expiresAt ?? null;
  }
  return assign(
    flat,
    {
      ...RUN_COLUMNS,
      updatedAt: { column: 'updated_at' },
      leaseOwner: { column: 'lease_owner' },
      leaseToken: { column: 'lease_token' },
      leaseExpiresAt: { column: 'lease_expires_at' },
    },
    firstIndex,
  );
}

/** Assignments for a task patch. */
export function taskAssignments(patch: TaskPatch, firstIndex: number): Assignments {
  return assign(patch, TASK_COLUMNS, firstIndex);
}
