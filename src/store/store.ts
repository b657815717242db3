import type { BatonEvent, EventDraft, Usage } from '../core/events.js';
import type { CallerIdentity } from '../core/tool.js';

/** Session status: `waiting` means a person must act before it goes on (docs/architecture.md). */
export type SessionStatus = 'idle' | 'running' | 'waiting' | 'completed' | 'failed';

/** Run status; a `failed` run may be retried under the same id, `succeeded` and `cancelled` may not. */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

/** A session as stored: a durable conversation with one root agent. */
export interface SessionRecord {
  id: string;
  agent: string;
  status: SessionStatus;
  context: Record<string, unknown>;
  auth: { initiator?: CallerIdentity; current?: CallerIdentity };
  /** sha256 hex of the continuation token; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface Lease {
  owner: string;
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** A run as stored: one execution inside a session (a message, a task, a governed command). */
export interface RunRecord {
  id: string;
  sessionId: string;
  agent: string;
  status: RunStatus;
  attempt: number;
  /** What started the run: `message`, `task`, `exec`, ... */
  kind: string;
  /** Run input (the user message, task args...), JSON. */
  input: Record<string, unknown>;
  /** Hash of the agent definition the run was first started under (null until first started). */
  definitionHash: string | null;
  idempotencyKey: string | null;
  lease: Lease | null;
  usage: Usage;
  result: unknown;
  error: { code: string; message: string } | null;
  cancelRequested: boolean;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TaskRecord {
  id: string;
  profile: string;
  args: Record<string, unknown>;
  namespace: string;
  idempotencyKey: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: { iteration: number; phase: string } | null;
  result: unknown;
  error: { kind: string; message: string } | null;
  costUsd: number;
  runId: string | null;
  feedback: FeedbackRecord[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface FeedbackRecord {
  id: string;
  score: number;
  label?: string;
  notes: string;
  by: 'agent' | 'user' | 'downstream-judge';
  at: string;
}

/** Partial updates; only the given fields change. */
export type SessionPatch = Partial<Pick<SessionRecord, 'status' | 'context' | 'auth' | 'tokenHash'>>;
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'status'
    | 'attempt'
    | 'definitionHash'
    | 'usage'
    | 'result'
    | 'error'
    | 'cancelRequested'
    | 'startedAt'
    | 'finishedAt'
    | 'lease'
  >
>;
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    | 'status'
    | 'progress'
    | 'result'
    | 'error'
    | 'costUsd'
    | 'runId'
    | 'startedAt'
    | 'completedAt'
    | 'feedback'
  >
>;

/** A lease check done inside the commit's transaction: the run's lease token must still be this one. */
export interface Fence {
  runId: string;
  token: string;
}

/** Options of {@link Store.append}. Side-table updates are applied in the same transaction. */
export interface AppendOptions {
  runId: string;
  /** When given, the append fails with `LeaseLostError` unless the run still holds this lease token. */
  fence?: Fence;
  runPatch?: RunPatch;
  sessionPatch?: SessionPatch;
}

export interface NewSession {
  id: string;
  agent: string;
  context: Record<string, unknown>;
  auth: SessionRecord['auth'];
  tokenHash: string;
}

export interface NewRun {
  id: string;
  sessionId: string;
  agent: string;
  kind: string;
  input: Record<string, unknown>;
  idempotencyKey: string | null;
}

export interface NewTask {
  id: string;
  profile: string;
  args: Record<string, unknown>;
  namespace: string;
  idempotencyKey: string;
  runId: string | null;
}

/** One page of a listing, newest first; pass `nextCursor` back as `cursor` for the next. */
export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next (older) page, absent on the last page. */
  nextCursor?: string;
}

/** A claimed run: the run as it is after the claim, holding the new lease. */
export interface Claim {
  run: RunRecord;
  lease: Lease;
}

/** A listener for events committed to a session (or all sessions). */
export type EventListener = (event: BatonEvent) => void;

/**
 * The store port. Asynchronous so that SQLite and Postgres fit the same shape; every
 * implementation passes the contract suite in `src/testing/store-contract.ts`.
 * The store knows SQL, not agents: it never interprets event data.
 */
export interface Store {
  /** `sqlite`, `postgres` or `memory`. */
  readonly kind: string;

  // Sessions
  createSession(session: NewSession): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  listSessions(options: { limit: number; cursor?: string }): Promise<Page<SessionRecord>>;
  updateSession(id: string, patch: SessionPatch): Promise<void>;

  // Runs
  /** Creates a `queued` run (attempt 1). With an idempotency key already used, returns that run instead. */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(options: {
    sessionId?: string;
    status?: RunStatus[];
    limit: number;
    cursor?: string;
  }): Promise<Page<RunRecord>>;
  /** With a fence, fails with `LeaseLostError` unless the lease token still matches. */
  updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord>;

  // Events
  /**
   * Appends events to a session's log in one transaction: checks the fence, assigns gapless
   * `seq` and the hash chain from the current head, applies the run/session patches, then
   * notifies subscribers after commit.
   */
  append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]>;
  /** Events with `seq >= from`, ascending, at most `limit` (default: all). */
  readEvents(
    sessionId: string,
    options?: { from?: number; limit?: number; types?: string[] },
  ): Promise<BatonEvent[]>;
  /** The last event's seq and hash, or undefined for an empty log. */
  head(sessionId: string): Promise<{ seq: number; hash: string } | undefined>;
  /** Live notification of committed events; `sessionId` `*` means every session. Returns unsubscribe. */
  subscribe(sessionId: string, listener: EventListener): () => void;

  // Blobs (content-addressed by sha256 hex, deduplicated)
  putBlob(bytes: Uint8Array): Promise<string>;
  getBlob(hash: string): Promise<Uint8Array | undefined>;

  // Leases
  /**
   * Claims one runnable run — `queued`, or `running` with an expired lease — for `owner`,
   * with a fresh token expiring `ttlMs` from now. Never hands the same run to two callers.
   */
  claimRun(owner: string, ttlMs: number, options?: { runId?: string }): Promise<Claim | undefined>;
  /** Extends the lease when the token still matches; false when it was lost. */
  renewLease(fence: Fence, ttlMs: number): Promise<boolean>;
  /** Clears the lease when the token still matches (the run stays in its status). */
  releaseLease(fence: Fence): Promise<void>;

  // Tasks
  createTask(task: NewTask): Promise<{ task: TaskRecord; created: boolean }>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined>;
  findTaskByRunId(runId: string): Promise<TaskRecord | undefined>;
  /** Newest first. */
  listTasks(options: {
    namespace?: string;
    profile?: string;
    since?: string;
    status?: TaskRecord['status'][];
    limit: number;
  }): Promise<TaskRecord[]>;
  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord>;
  /** Deletes the oldest terminal tasks beyond `keep`; returns how many were deleted. */
  pruneTasks(keep: number): Promise<number>;

  close(): Promise<void>;
}
