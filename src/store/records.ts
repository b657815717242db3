import { currentTraceparent } from '../telemetry/trace-context.js';
import type { NewRun, NewSession, RunPatch, RunRecord, SessionPatch, SessionRecord } from './run-store.js';
import type { NewTask, TaskPatch, TaskRecord } from './task-store.js';

/**
 * Record construction and patch application shared by every store, so that the in-memory,
 * SQLite and Postgres stores agree field by field on what a new record and a patch mean.
 */

/** Run statuses after which a run never executes again (a failed run may still be retried). */
export const ENDED_RUN_STATUSES: readonly RunRecord['status'][] = ['succeeded', 'failed', 'cancelled'];

/** True once a run has reached one of {@link ENDED_RUN_STATUSES}. */
export function isRunEnded(status: RunRecord['status']): boolean {
  return ENDED_RUN_STATUSES.includes(status);
}

/** Task statuses after which a task never changes again; only these are pruned. */
export const TERMINAL_TASK_STATUSES: readonly TaskRecord['status'][] = ['completed', 'failed', 'cancelled'];

/** Queued runs, and running runs whose lease expired or was released, may be claimed. */
export function isClaimable(run: RunRecord, now: number): boolean {
  if (run.status === 'queued') return true;
  return run.status === 'running' && (run.lease === null || run.lease.expiresAt <= now);
}

/** A JSON round trip: stores hand out exactly what a JSON column would give back. */
export function copyJson<T>(value: T): T {
  return value === undefined ? (null as T) : (JSON.parse(JSON.stringify(value)) as T);
}

/** A fresh session with an empty log: `idle`, or `running` when it starts with a queued run. */
export function buildSessionRecord(
  input: NewSession,
  now: string,
  status: SessionRecord['status'] = 'idle',
): SessionRecord {
  return {
    id: input.id,
    agent: input.agent,
    status,
    context: copyJson(input.context),
    auth: copyJson(input.auth),
    tokenHash: input.tokenHash,
    headSeq: null,
    headHash: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A fresh `queued` run at attempt 1. */
export function buildRunRecord(input: NewRun, now: string): RunRecord {
  return {
    id: input.id,
    sessionId: input.sessionId,
    agent: input.agent,
    status: 'queued',
    attempt: 1,
    kind: input.kind,
    input: copyJson(input.input),
    agentModule: input.agentModule ?? null,
    traceparent: input.traceparent ?? currentTraceparent(),
    pool: input.pool ?? null,
    activeMs: 0,
    definitionHash: null,
    idempotencyKey: input.idempotencyKey,
    lease: null,
    usage: { inputTokens: 0, outputTokens: 0 },
    result: null,
    error: null,
    cancelRequested: false,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
  };
}

/** A fresh `pending` task. */
export function buildTaskRecord(input: NewTask, now: string): TaskRecord {
  return {
    id: input.id,
    profile: input.profile,
    args: copyJson(input.args),
    namespace: input.namespace,
    idempotencyKey: input.idempotencyKey,
    status: 'pending',
    progress: null,
    result: null,
    error: null,
    costUsd: 0,
    runId: input.runId,
    feedback: [],
    createdAt: now,
    startedAt: null,
    completedAt: null,
  };
}

/** Copies the defined fields of `patch` over `record`, JSON-copied so later caller mutations cannot leak in. */
function overlay<T extends object>(record: T, patch: Partial<T>): T {
  const next = { ...record };
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const value = patch[key];
    // An explicit `undefined` means "not given"; clearing a field is spelled `null`.
    if (value !== undefined) next[key] = copyJson(value) as T[keyof T];
  }
  return next;
}

/** The session after `patch`, with `updatedAt` bumped. */
export function applySessionPatch(record: SessionRecord, patch: SessionPatch, now: string): SessionRecord {
  return { ...overlay<SessionRecord>(record, patch), updatedAt: now };
}

/** The run after `patch`, with `updatedAt` bumped. */
export function applyRunPatch(record: RunRecord, patch: RunPatch, now: string): RunRecord {
  return { ...overlay<RunRecord>(record, patch), updatedAt: now };
}

/** The task after `patch`. */
export function applyTaskPatch(record: TaskRecord, patch: TaskPatch): TaskRecord {
  return overlay<TaskRecord>(record, patch);
}
