import type { BatonEvent, EventDraft, Usage } from '../core/events.js';
import type { CallerIdentity } from '../core/tool.js';
import type { ClaimFilter } from './claim-filter.js';
import type { ListOptions, Page } from './page.js';

/**
 * Session status: `running` from the moment a run is queued until it settles, `idle` after it
 * succeeded or was cancelled, `failed` after it failed; `waiting` is reserved for runs waiting
 * for a person (docs/decisions.md, "Truthful state").
 */
export type SessionStatus = 'idle' | 'running' | 'waiting' | 'failed';

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
  /** Seq of the newest event, kept in the same transaction as every append (null: empty log). */
  headSeq: number | null;
  /** Hash of the newest event (null: empty log); `verify-log` checks the log ends there. */
  headHash: string | null;
  /**
   * The newest transcript checkpoint (a blob): the session's state after event `seq`, from
   * which a run starts instead of reading the whole log (null: none yet). An optimisation only.
   */
  checkpoint: CheckpointPointer | null;
  /** The session whose tool call started this one (an agent used as a tool); null for a root session. */
  parentSessionId: string | null;
  /** The parent's tool call this session answers; null for a root session. */
  parentToolCallId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Where a session's transcript checkpoint is: the blob's hash and the seq it covers. */
export interface CheckpointPointer {
  seq: number;
  hash: string;
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
  /** The attempt of the run's latest `run.started` (0: never started), so a start needs no log read. */
  startedAttempt: number;
  /** What started the run: `message`, `task`, `exec`, ... */
  kind: string;
  /** Run input (the user message, task args...), JSON. */
  input: Record<string, unknown>;
  /** Absolute path of the module defining the agent, so that a worker told nothing can load it. */
  agentModule: string | null;
  /**
   * The W3C trace context the run was created under (an incoming `traceparent`, the run that
   * created it, or a new trace): every attempt of the run is a span of this trace.
   */
  traceparent: string | null;
  /**
   * The runner pool the run is for (`baton worker --pool`), or null for a run the plane's own
   * workers execute. Pool runs are claimed only by runners of their pool, over HTTP.
   */
  pool: string | null;
  /**
   * Milliseconds the run has spent executing (status `running` under a worker's lease), summed
   * over attempts and workers; what `timeoutMs` bounds. Waiting time never counts.
   */
  activeMs: number;
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

/** Partial updates; only the given fields change. */
export type SessionPatch = Partial<
  Pick<SessionRecord, 'status' | 'context' | 'auth' | 'tokenHash' | 'checkpoint'>
>;
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'status'
    | 'attempt'
    | 'startedAttempt'
    | 'definitionHash'
    | 'usage'
    | 'result'
    | 'error'
    | 'cancelRequested'
    | 'startedAt'
    | 'finishedAt'
    | 'lease'
    | 'activeMs'
  >
>;
/** A lease check done inside the commit's transaction: the run's lease token must still be this one. */
export interface Fence {
  runId: string;
  token: string;
}

/** What a run's step boundary needs to know (see `RunStore.stepBoundary`). */
export interface StepBoundary {
  head: { seq: number; hash: string } | undefined;
  cancelRequested: boolean;
}

/** Options of {@link RunStore.append}. Side-table updates are applied in the same transaction. */
export interface AppendOptions {
  runId: string;
  /** When given, the append fails with `LeaseLostError` unless the run still holds this lease token. */
  fence?: Fence;
  runPatch?: RunPatch;
  sessionPatch?: SessionPatch;
  /**
   * Compare-and-append: commits only while the session's newest event is still this seq
   * (`null`: the log is empty); otherwise nothing is written and `AppendConflictError`
   * (`head_moved`) says someone else appended first.
   */
  expectedHeadSeq?: number | null;
  /**
   * Commits only while run `runId` has one of these statuses; otherwise nothing is written and
   * `AppendConflictError` (`run_status`) is thrown.
   */
  requireRunStatus?: readonly RunStatus[];
  /**
   * Queues this run in the same transaction, after the events and patches (its session becomes
   * `running`). When its idempotency key is taken, nothing is written and `AppendConflictError`
   * (`run_exists`) is thrown.
   */
  createRun?: NewRun;
}

export interface NewSession {
  id: string;
  agent: string;
  context: Record<string, unknown>;
  auth: SessionRecord['auth'];
  tokenHash: string;
  /** A child session's parent and the tool call that started it (see `SessionRecord`). */
  parentSessionId?: string | null;
  parentToolCallId?: string | null;
}

export interface NewRun {
  id: string;
  sessionId: string;
  agent: string;
  kind: string;
  input: Record<string, unknown>;
  idempotencyKey: string | null;
  /** The module defining the agent (absolute path), when the starter knows it. */
  agentModule?: string | null;
  /** The trace the run joins (`RunRecord.traceparent`); default a new trace. */
  traceparent?: string | null;
  /** The runner pool that executes it (`RunRecord.pool`); default none. */
  pool?: string | null;
}

/** What {@link RunStore.startSession} writes in one transaction. */
export interface NewSessionStart {
  session: NewSession;
  /** The session's first events, committed under `run.id`. */
  events: EventDraft[];
  run: NewRun;
}

/** Options of {@link RunStore.listRuns}. */
export interface ListRunsOptions extends ListOptions {
  sessionId?: string;
  status?: RunStatus[];
  /** Only runs this claim filter matches. */
  filter?: ClaimFilter;
}

/** Options of {@link RunStore.readEvents}. */
export interface ReadEventsOptions {
  from?: number;
  limit?: number;
  types?: string[];
  maxBytes?: number;
}

/** A claimed run: the run as it is after the claim, holding the new lease. */
export interface Claim {
  run: RunRecord;
  lease: Lease;
  /**
   * The run's session as the claim read it, when the store reads it in the same statement
   * (Postgres): the attempt's first session read, saved. In-process only: a runner plane sends
   * a runner the run and its lease, never this.
   */
  session?: SessionRecord;
  /**
   * The session's events after its checkpoint (all of them, without one), as the claim read
   * them in the same statement, when there are few (Postgres): the attempt's first log read,
   * saved. In-process only, like `session`.
   */
  events?: BatonEvent[];
}

/** A listener for events committed to a session (or all sessions). */
export type EventListener = (event: BatonEvent) => void;

/** Options of {@link RunStore.claimRun}. */
export interface ClaimOptions {
  /** Claims this run only. */
  runId?: string;
  /** Claims only runs this filter matches (what the claiming worker can execute). */
  filter?: ClaimFilter;
}

/**
 * The port of durable runs (sessions, runs, their event logs and leases): what the runtime
 * needs of a store. Asynchronous so that SQLite and Postgres fit the same shape; every
 * implementation passes `runStoreContract` (`baton-runtime/testing/contracts`). It knows SQL,
 * not agents: it never interprets event data.
 */
export interface RunStore {
  // Sessions
  /** Creates an `idle` session with an empty log. */
  createSession(session: NewSession): Promise<SessionRecord>;
  /**
   * Creates a session, its first events and its first queued run in one transaction, so a
   * session never exists without its run. When the run's idempotency key is taken, nothing is
   * written and the run that holds the key is returned (`created: false`).
   */
  startSession(start: NewSessionStart): Promise<{ run: RunRecord; created: boolean }>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  listSessions(options: ListOptions): Promise<Page<SessionRecord>>;
  updateSession(id: string, patch: SessionPatch): Promise<void>;

  // Runs
  /**
   * Creates a `queued` run (attempt 1) and marks its session `running`, in one transaction.
   * With an idempotency key already used, returns that run instead.
   */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(options: ListRunsOptions): Promise<Page<RunRecord>>;
  /**
   * Distinct agent modules recorded by `queued` or `running` runs: what a worker may have to
   * load. With `pool`, only that runner pool's runs (what the pool's runners are told).
   */
  listActiveAgentModules(options?: { pool?: string }): Promise<string[]>;
  /** With a fence, fails with `LeaseLostError` unless the lease token still matches. */
  updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord>;

  // Events
  /**
   * Appends events to a session's log in one transaction: checks the fence, assigns gapless
   * `seq` and the hash chain from the current head, applies the run/session patches, then
   * notifies subscribers after commit.
   */
  append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]>;
  /**
   * Events with `seq >= from`, ascending, at most `limit` (default: all). With `maxBytes`, the
   * page stops before the event whose data would take it past that many bytes of JSON (it
   * always holds at least one event), so pages stay bounded however large events are.
   */
  readEvents(sessionId: string, options?: ReadEventsOptions): Promise<BatonEvent[]>;
  /** The last event's seq and hash, or undefined for an empty log. */
  head(sessionId: string): Promise<{ seq: number; hash: string } | undefined>;
  /**
   * Optional: what a run's step boundary needs, answered without a round trip where the store
   * can (Postgres and SQLite: from what the run's latest append saw). The answer may then be as old
   * as that append: a commit or cancel request from another process shows at the boundary
   * after the run's next append, which sees it. Without it the runtime reads `head` and the run.
   */
  stepBoundary?(sessionId: string, runId: string): Promise<StepBoundary>;
  /** Live notification of committed events; `sessionId` `*` means every session. Returns unsubscribe. */
  subscribe(sessionId: string, listener: EventListener): () => void;

  // Leases
  /**
   * Claims one runnable run — `queued`, or `running` with an expired lease — for `owner`,
   * with a fresh token expiring `ttlMs` from now. Never hands the same run to two callers.
   */
  claimRun(owner: string, ttlMs: number, options?: ClaimOptions): Promise<Claim | undefined>;
  /**
   * Extends the lease when the token still matches; false when it was lost. `activeMs`, when
   * given, is recorded on the run in the same statement (the executing worker's running total).
   */
  renewLease(fence: Fence, ttlMs: number, options?: { activeMs?: number }): Promise<boolean>;
  /** Clears the lease when the token still matches (the run stays in its status). */
  releaseLease(fence: Fence): Promise<void>;
}
