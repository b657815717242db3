import type { BatonEvent } from '../../core/events.js';
import type { RunRecord, SessionRecord } from '../run-store.js';
import type { TaskRecord } from '../task-store.js';
import type { WorkerRecord, WorkerServes } from '../worker-registry.js';

/**
 * Row shapes as node-postgres returns them (json columns already parsed, bigint as string)
 * and their mapping to the port's records.
 */

export interface SessionRow {
  id: string;
  agent: string;
  status: SessionRecord['status'];
  context: SessionRecord['context'];
  auth: SessionRecord['auth'];
  token_hash: string;
  head_seq: number | null;
  head_hash: string | null;
  created_at: string;
  updated_at: string;
}

/** A `runs` row; `lease_expires_at` is a bigint, returned as a string. */
export interface RunRow {
  id: string;
  session_id: string;
  agent: string;
  status: RunRecord['status'];
  attempt: number;
  kind: string;
  input: RunRecord['input'];
  agent_module: string | null;
  traceparent: string | null;
  pool: string | null;
  /** A bigint, returned as a string. */
  active_ms: string;
  definition_hash: string | null;
  idempotency_key: string | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: string | null;
  usage: RunRecord['usage'];
  result: unknown;
  error: RunRecord['error'];
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A `tasks` row. */
export interface TaskRow {
  id: string;
  profile: string;
  args: TaskRecord['args'];
  namespace: string;
  idempotency_key: string;
  status: TaskRecord['status'];
  progress: TaskRecord['progress'];
  result: unknown;
  error: TaskRecord['error'];
  cost_usd: number;
  run_id: string | null;
  feedback: TaskRecord['feedback'];
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** An `events` row. */
export interface EventRow {
  session_id: string;
  seq: number;
  run_id: string;
  type: BatonEvent['type'];
  ts: string;
  data: BatonEvent['data'];
  hash: string;
}

/** Serialises a JSON column value; `undefined` is stored as JSON `null`, as the other stores do. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** The port's session record of a row. */
export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    agent: row.agent,
    status: row.status,
    context: row.context,
    auth: row.auth,
    tokenHash: row.token_hash,
    headSeq: row.head_seq,
    headHash: row.head_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The port's run record of a row; the lease is null unless all three lease columns are set. */
export function toRun(row: RunRow): RunRecord {
  const lease =
    row.lease_token === null || row.lease_owner === null || row.lease_expires_at === null
      ? null
      : { owner: row.lease_owner, token: row.lease_token, expiresAt: Number(row.lease_expires_at) };
  return {
    id: row.id,
    sessionId: row.session_id,
    agent: row.agent,
    status: row.status,
    attempt: row.attempt,
    kind: row.kind,
    input: row.input,
    agentModule: row.agent_module,
    traceparent: row.traceparent,
    pool: row.pool,
    activeMs: Number(row.active_ms),
    definitionHash: row.definition_hash,
    idempotencyKey: row.idempotency_key,
    lease,
    usage: row.usage,
    result: row.result,
    error: row.error,
    cancelRequested: row.cancel_requested,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** The port's task record of a row. */
export function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    profile: row.profile,
    args: row.args,
    namespace: row.namespace,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    progress: row.progress,
    result: row.result,
    error: row.error,
    costUsd: row.cost_usd,
    runId: row.run_id,
    feedback: row.feedback,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

/** A `workers` row; `expires_at` is a bigint, returned as a string. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  serves: WorkerServes;
  concurrency: number;
  runs_in_flight: number;
  started_at: string;
  last_heartbeat_at: string;
  expires_at: string;
}

/** The registry's worker entry of a row. */
export function toWorker(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    ...row.serves,
    concurrency: row.concurrency,
    runsInFlight: row.runs_in_flight,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    expiresAt: Number(row.expires_at),
  };
}

/** The persisted event of a row, exactly as it was sealed. */
export function toEvent(row: EventRow): BatonEvent {
  return {
    seq: row.seq,
    sessionId: row.session_id,
    runId: row.run_id,
    type: row.type,
    ts: row.ts,
    data: row.data,
    hash: row.hash,
  } as BatonEvent;
}
