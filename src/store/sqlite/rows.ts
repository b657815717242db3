import type { BatonEvent } from '../../core/events.js';
import type { RunRecord, SessionRecord } from '../run-store.js';
import { corruptJson } from '../store-corrupt.js';
import type { TaskRecord } from '../task-store.js';
import type { WorkerRecord, WorkerServes } from '../worker-registry.js';

/**
 * Row shapes of the SQLite tables and their mapping to and from records. JSON columns hold
 * `JSON.stringify` text; `NULL` stands for `null`. Each row carries `pos`, the insertion
 * position that orders lists.
 */

/** A `sessions_with_head` row (the session row and its head) as better-sqlite3 returns it. */
export interface SessionRow {
  pos: number;
  id: string;
  agent: string;
  status: string;
  context: string;
  auth: string;
  token_hash: string;
  head_seq: number | null;
  head_hash: string | null;
  /** JSON of the checkpoint pointer, or NULL. */
  checkpoint: string | null;
  parent_session_id: string | null;
  parent_tool_call_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A `runs` row as better-sqlite3 returns it (JSON columns as text, booleans as 0/1). */
export interface RunRow {
  pos: number;
  id: string;
  session_id: string;
  agent: string;
  status: string;
  attempt: number;
  started_attempt: number;
  kind: string;
  input: string;
  agent_module: string | null;
  traceparent: string | null;
  pool: string | null;
  active_ms: number;
  definition_hash: string | null;
  idempotency_key: string | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  usage: string;
  result: string | null;
  error: string | null;
  cancel_requested: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A `tasks` row as better-sqlite3 returns it. */
export interface TaskRow {
  pos: number;
  id: string;
  profile: string;
  args: string;
  namespace: string;
  idempotency_key: string;
  status: string;
  progress: string | null;
  result: string | null;
  error: string | null;
  cost_usd: number;
  run_id: string | null;
  feedback: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** A `workers` row; `serves` is the JSON of what the worker serves. */
export interface WorkerRow {
  pos: number;
  id: string;
  host: string;
  pid: number;
  serves: string;
  concurrency: number;
  runs_in_flight: number;
  started_at: string;
  last_heartbeat_at: string;
  expires_at: number;
}

/** An `events` row as better-sqlite3 returns it (`data` as JSON text). */
export interface EventRow {
  pos: number;
  session_id: string;
  seq: number;
  run_id: string;
  type: string;
  ts: string;
  data: string;
  hash: string;
}

/** JSON text for a column; `undefined` and `null` both become SQL `NULL`. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * The value of a JSON column. Baton only ever writes valid JSON, so text that does not parse
 * means the file was damaged or edited: a typed `store_corrupt` error, never a raw SyntaxError.
 */
function fromJson<T>(text: string | null, what: string): T {
  if (text === null) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw corruptJson(what, error);
  }
}

/** The session record a row holds. */
export function sessionFromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    agent: row.agent,
    status: row.status as SessionRecord['status'],
    context: fromJson(row.context, `the context of session ${row.id}`),
    auth: fromJson(row.auth, `the auth of session ${row.id}`),
    tokenHash: row.token_hash,
    headSeq: row.head_seq,
    headHash: row.head_hash,
    checkpoint: fromJson(row.checkpoint, `the checkpoint of session ${row.id}`),
    parentSessionId: row.parent_session_id,
    parentToolCallId: row.parent_tool_call_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Named parameters for inserting a session row (its head is not in it: appends move that). */
export function sessionParams(record: SessionRecord): Omit<SessionRow, 'pos' | 'head_seq' | 'head_hash'> {
  return {
    id: record.id,
    agent: record.agent,
    status: record.status,
    context: JSON.stringify(record.context),
    auth: JSON.stringify(record.auth),
    token_hash: record.tokenHash,
    checkpoint: toJson(record.checkpoint),
    parent_session_id: record.parentSessionId,
    parent_tool_call_id: record.parentToolCallId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** The run record a row holds; a lease exists only when all three lease columns are set. */
export function runFromRow(row: RunRow): RunRecord {
  const lease =
    row.lease_token === null || row.lease_owner === null || row.lease_expires_at === null
      ? null
      : { owner: row.lease_owner, token: row.lease_token, expiresAt: row.lease_expires_at };
  const what = (field: string) => `the ${field} of run ${row.id}`;
  return {
    id: row.id,
    sessionId: row.session_id,
    agent: row.agent,
    status: row.status as RunRecord['status'],
    attempt: row.attempt,
    startedAttempt: row.started_attempt,
    kind: row.kind,
    input: fromJson(row.input, what('input')),
    agentModule: row.agent_module,
    traceparent: row.traceparent,
    pool: row.pool,
    activeMs: row.active_ms,
    definitionHash: row.definition_hash,
    idempotencyKey: row.idempotency_key,
    lease,
    usage: fromJson(row.usage, what('usage')),
    result: fromJson(row.result, what('result')),
    error: fromJson(row.error, what('error')),
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Named parameters for inserting or rewriting a run row. */
export function runParams(record: RunRecord): Omit<RunRow, 'pos'> {
  return {
    id: record.id,
    session_id: record.sessionId,
    agent: record.agent,
    status: record.status,
    attempt: record.attempt,
    started_attempt: record.startedAttempt,
    kind: record.kind,
    input: JSON.stringify(record.input),
    agent_module: record.agentModule,
    traceparent: record.traceparent,
    pool: record.pool,
    active_ms: record.activeMs,
    definition_hash: record.definitionHash,
    idempotency_key: record.idempotencyKey,
    lease_owner: record.lease?.owner ?? null,
    lease_token: record.lease?.token ?? null,
    lease_expires_at: record.lease?.expiresAt ?? null,
    usage: JSON.stringify(record.usage),
    result: toJson(record.result),
    error: toJson(record.error),
    cancel_requested: record.cancelRequested ? 1 : 0,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
  };
}

/** The task record a row holds. */
export function taskFromRow(row: TaskRow): TaskRecord {
  const what = (field: string) => `the ${field} of task ${row.id}`;
  return {
    id: row.id,
    profile: row.profile,
    args: fromJson(row.args, what('args')),
    namespace: row.namespace,
    idempotencyKey: row.idempotency_key,
    status: row.status as TaskRecord['status'],
    progress: fromJson(row.progress, what('progress')),
    result: fromJson(row.result, what('result')),
    error: fromJson(row.error, what('error')),
    costUsd: row.cost_usd,
    runId: row.run_id,
    feedback: fromJson(row.feedback, what('feedback')),
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

/** Named parameters for inserting or rewriting a task row. */
export function taskParams(record: TaskRecord): Omit<TaskRow, 'pos'> {
  return {
    id: record.id,
    profile: record.profile,
    args: JSON.stringify(record.args),
    namespace: record.namespace,
    idempotency_key: record.idempotencyKey,
    status: record.status,
    progress: toJson(record.progress),
    result: toJson(record.result),
    error: toJson(record.error),
    cost_usd: record.costUsd,
    run_id: record.runId,
    feedback: JSON.stringify(record.feedback),
    created_at: record.createdAt,
    started_at: record.startedAt,
    completed_at: record.completedAt,
  };
}

/** The persisted event a row holds. */
export function eventFromRow(row: EventRow): BatonEvent {
  return {
    seq: row.seq,
    sessionId: row.session_id,
    runId: row.run_id,
    type: row.type,
    ts: row.ts,
    data: eventData(row),
    hash: row.hash,
  } as BatonEvent;
}

/** An event row's data; its description is only built for a damaged one (a log is read row by row). */
function eventData(row: EventRow): unknown {
  try {
    return JSON.parse(row.data);
  } catch (error) {
    throw corruptJson(`event ${row.seq} of session ${row.session_id}`, error);
  }
}

/** The worker entry a row holds. */
export function workerFromRow(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    ...fromJson<WorkerServes>(row.serves, `the entry of worker ${row.id}`),
    concurrency: row.concurrency,
    runsInFlight: row.runs_in_flight,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    expiresAt: row.expires_at,
  };
}
