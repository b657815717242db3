import type { Agent } from '../core/agent.js';
import type { EventDraft, MessagePriority, StreamEvent, Usage } from '../core/events.js';
import type { CallerIdentity } from '../core/tool.js';
import type { Page } from '../store/page.js';
import type { RunRecord, RunStatus, SessionRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { WorkerRecord } from '../store/worker-registry.js';
import type { AnswerResult, DecisionChannel, DecisionResult } from './gate-decisions.js';
import type { PendingApproval, PendingInput } from './pending-gates.js';

/** Options of {@link Runtime.start}. */
export interface StartOptions {
  agent: string;
  message: string;
  context?: Record<string, unknown>;
  idempotencyKey?: string;
  /** Who is calling; stored as `auth.initiator` and `auth.current`. */
  caller?: CallerIdentity;
  /** Overrides the agent's model for this session's runs (`provider:model-id`); part of the definition hash. */
  model?: string;
  /**
   * Absolute path of the module that defines the agent, recorded on the run so that a worker
   * in another process can load the agent. Defaults to the module the runtime loaded the agent
   * from (`baton serve --agents`, `loadAgentsDir`), if any.
   */
  agentModule?: string;
}

/**
 * What `start` returns. The token is the session's follow-up secret: a first start always
 * returns it; a replay of an idempotency key (`replayed: true`) returns it only to the same
 * authenticated caller, never to the anonymous principal of `--auth none`.
 */
export interface StartResult {
  sessionId: string;
  runId: string;
  continuationToken?: string;
  replayed?: true;
}

/**
 * What `deliver` returns: the run the message was delivered to. That run reads it, unless it
 * came while the model was answering with no step left: then the run ends on its answer and the
 * session's next run, queued by that end, reads it (`messagesThrough`, docs/events.md).
 */
export interface DeliverResult {
  sessionId: string;
  runId: string;
  continuationToken: string;
}

/** Options of {@link Runtime.deliver}. */
export interface DeliverOptions {
  continuationToken: string;
  message: string;
  /**
   * `user` (default): the active run reads it at its next step boundary. `background` (a
   * notice from the system, such as a finished task): it waits for the end of the turn.
   */
  priority?: MessagePriority;
  caller?: CallerIdentity;
}

/** Options of {@link Runtime.converse}. */
export interface ConverseOptions {
  agent: string;
  message: string;
  /**
   * Names the outside conversation (e.g. `slack:C123:1700000000.000100`): every message with
   * one key goes to one session, started by the first. Scope it by its source.
   */
  conversationKey: string;
  caller?: CallerIdentity;
  /** Events committed just before the message, in its transaction (a schedule's `schedule.fired`). */
  before?: readonly EventDraft[];
}

/** What {@link Runtime.converse} returns: the session and the run that will read the message. */
export interface ConverseResult {
  sessionId: string;
  runId: string;
  /** True when this message started the conversation's session. */
  started: boolean;
}

/** Options of {@link Runtime.startTick}. */
export interface StartTickOptions {
  agent: string;
  message: string;
  /** `<agent>/<id>`. */
  scheduleId: string;
  /** The tick's ISO time. */
  tick: string;
}

/** What {@link Runtime.startTick} returns; `fired: false` when another process started this tick. */
export interface StartTickResult {
  sessionId: string;
  runId: string;
  fired: boolean;
}

/** A session as the API shows it: the record without the token hash, plus its runs and usage. */
export interface SessionView {
  id: string;
  agent: string;
  status: SessionRecord['status'];
  context: Record<string, unknown>;
  auth: SessionRecord['auth'];
  /** Seq and hash of the log's newest event (null: empty). */
  headSeq: number | null;
  headHash: string | null;
  /** A child session's parent session and the tool call that started it (null for a root session). */
  parentSessionId: string | null;
  parentToolCallId: string | null;
  runs: RunView[];
  usage: Usage;
  /** Approvals waiting for a decision (docs/hitl.md). */
  pendingApprovals: PendingApproval[];
  /** Questions waiting for an answer. */
  pendingInputs: PendingInput[];
  createdAt: string;
  updatedAt: string;
}

/**
 * A run as the API shows it: the record without its lease token; a `waiting` run parked on its
 * children (agents used as tools, background children) has `waitingOn: 'children'`.
 */
export type RunView = Omit<RunRecord, 'lease'> & {
  lease: { owner: string; expiresAt: number } | null;
  waitingOn?: 'children';
};

/** A live worker's entry on the wire (`GET /v1/workers`, `baton workers list --json`): times as ISO 8601. */
export type WorkerView = Omit<WorkerRecord, 'expiresAt'> & { expiresAt: string };

/** Options of {@link Runtime.stream}. */
export interface StreamOptions {
  /** First `seq` to replay (default 0). */
  from?: number;
  /** Keep the stream open after the session goes idle/waiting/terminal. */
  follow?: boolean;
  signal?: AbortSignal;
  /**
   * Live events buffered for a reader that is not keeping up (default 1 000); one more ends
   * the stream with `StreamLaggedError`, whose `from` continues where it stopped.
   */
  maxLagEvents?: number;
  /**
   * Interleave the events of the session's child sessions (agents used as tools) and theirs,
   * each tagged with its `childSessionId` (`GET /v1/sessions/:id/stream?children=1`).
   */
  children?: boolean;
  /**
   * Takes live events synchronously, from the commit's notification, instead of having them
   * yielded: while the reader is caught up, each next live event (in order, deduplicated, the
   * same events the stream would yield) is offered here first, and one it returns true for is
   * the reader's and is not yielded; one it refuses (say, its buffer is full) is yielded as
   * usual, and so is anything the stream must read or check first. A fan-out to hundreds of
   * readers costs each reader a call per event instead of a generator resume and its promises.
   * One that throws refuses the event (it is yielded). It runs inside the committer's append,
   * so it must be quick: a slow one holds up the run that committed and every other listener.
   * Ignored with `children`.
   */
  deliver?: (event: StreamEvent) => boolean;
}

/** A streamed event; one of a child session carries that session's id as `childSessionId`. */
export type TreeStreamEvent = StreamEvent & { childSessionId?: string };

/** Options of {@link Runtime.decide}. */
export interface DecideOptions {
  decision: 'approve' | 'deny';
  reason?: string;
  /** The `inputHash` the decider was shown; another one is `stale_approval`. */
  inputHash?: string;
  /** Who decides; recorded as `by` (`bearer:api-token`, `cli:<user>`, `anonymous`). */
  caller?: CallerIdentity;
  /** Recorded as `by` instead of the caller's principal (e.g. `mcp:<client name>`). */
  by?: string;
  /** `mcp` for a decision relayed by an MCP tool call, which a `'human'` tool refuses. */
  channel?: DecisionChannel;
}

/** Options of {@link Runtime.startWorker}. */
export interface WorkerOptions {
  concurrency?: number;
  /** Lease TTL in ms (default: the runtime's `leaseTtlMs`). */
  leaseTtlMs?: number;
  /** Resolve `done` once nothing is runnable. */
  untilIdle?: boolean;
  /** How often an idle worker polls for runnable runs, in ms. */
  pollIntervalMs?: number;
  owner?: string;
  /** Told how each execution this worker started ended. */
  onRunSettled?: (runId: string, settled: ExecutionSettled) => void;
  /**
   * Awaited after each execution, before the loop looks for more work: what the worker must do
   * with a run it just finished (a runner of a pool issues and hands in its receipt here).
   */
  afterRun?: (run: RunRecord, settled: ExecutionSettled) => Promise<void>;
  /**
   * Wraps each execution and its `afterRun`: the scope in which everything done for the run
   * happens (a runner binds the blob uploads it makes meanwhile to the run they are for).
   */
  runScope?: (run: RunRecord, work: () => Promise<ExecutionSettled>) => Promise<ExecutionSettled>;
  /**
   * Told when the store fails while the worker looks for work (e.g. the database is
   * unreachable) or a heartbeat fails; the worker backs off and retries until
   * `maxStoreOutageMs` has passed. Default: a warning to the runtime's logger.
   */
  onStoreError?: (error: unknown) => void;
  /** How long the store may keep failing before the worker gives up and `done` rejects (default 5 min). */
  maxStoreOutageMs?: number;
  /** How long a step in flight may take to commit once `stop` was called (default 10 s). */
  drainGraceMs?: number;
}

/**
 * How one execution ended for the worker: the run reached a terminal status or was deferred
 * (`ended`), was handed back on shutdown (`released`), was taken over by another worker after
 * this one's lease lapsed (`lease_lost`: nothing more was written), or was handed back queued
 * and untouched because this worker does not have its agent after all (`unserved`).
 */
export type ExecutionSettled = 'ended' | 'released' | 'lease_lost' | 'unserved';

/** A running worker loop. */
export interface Worker {
  readonly owner: string;
  /** Resolves when the worker stopped (idle with `untilIdle`, or after `stop`). */
  readonly done: Promise<void>;
  /** Stops taking work, lets in-flight steps commit, releases leases. */
  stop(): Promise<void>;
}

/** The durable runtime: sessions, runs, workers and streams over a store (docs/architecture.md). */
export interface Runtime {
  readonly store: Store;
  readonly agents: ReadonlyMap<string, Agent>;
  start(options: StartOptions): Promise<StartResult>;
  deliver(options: DeliverOptions): Promise<DeliverResult>;
  /** Starts or continues the session of an outside conversation (webhook channels). */
  converse(options: ConverseOptions): Promise<ConverseResult>;
  /** Starts a schedule tick's session, its run keyed `schedule:<agent>/<id>:<tick>` (once per tick). */
  startTick(options: StartTickOptions): Promise<StartTickResult>;
  cancel(runId: string): Promise<RunView>;
  /** Retries a `failed` run under the same id (attempt + 1); other statuses are a conflict. */
  retry(runId: string): Promise<RunView>;
  /** Persisted events from `from`, then live ones (including `model.delta`). */
  stream(sessionId: string, options?: StreamOptions): AsyncIterable<TreeStreamEvent>;
  getSession(sessionId: string): Promise<SessionView>;
  listSessions(options: { limit?: number; cursor?: string }): Promise<Page<SessionView>>;
  getRun(runId: string): Promise<RunView>;
  /** The live workers announced in the store (any process), oldest first. */
  listWorkers(): Promise<WorkerRecord[]>;
  listRuns(options?: {
    sessionId?: string;
    status?: RunStatus[];
    limit?: number;
    cursor?: string;
  }): Promise<Page<RunView>>;
  /** Executes one specific run in this process as a worker would (used by `baton run`). */
  execute(
    runId: string,
    options?: { leaseTtlMs?: number; signal?: AbortSignal; drainGraceMs?: number },
  ): Promise<RunView>;
  /**
   * Executes a run and every run of its session tree (the child runs of agents used as tools,
   * background children's task runs, theirs) in this process until the root ends or waits for a
   * person (used by `baton run`); while the root waits only on children another worker runs, it
   * waits for them.
   */
  executeTree(
    runId: string,
    options?: { leaseTtlMs?: number; signal?: AbortSignal; drainGraceMs?: number },
  ): Promise<RunView>;
  startWorker(options?: WorkerOptions): Worker;
  /** Open approvals across sessions (or of `sessionId`), newest run first (docs/hitl.md). */
  listApprovals(options?: {
    sessionId?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<PendingApproval>>;
  /** Records a decision on an approval and queues its run again. */
  decide(approvalId: string, decision: DecideOptions): Promise<DecisionResult>;
  /** Records the answer to a question (validated against its choices or schema). */
  answer(requestId: string, answer: unknown, options?: { caller?: CallerIdentity }): Promise<AnswerResult>;
  close(): Promise<void>;
}
