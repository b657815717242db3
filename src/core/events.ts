import type { AgentLimits } from './agent-limits.js';
import type { ErrorBody } from './errors.js';
import type { GuardrailAction, GuardrailKind } from './guardrail.js';
import { canonicalJson, sha256Hex } from './hash.js';

/** Token usage, summed over model calls. `costUsd` is present when the model's price is known. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
}

/** A tool call as the model requested it and as `message.completed` records it. */
export interface ToolCallRecord {
  toolCallId: string;
  name: string;
  input: unknown;
}

/** Why a model step ended, normalised across providers. */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'context_limit'
  | 'tool_calls'
  | 'content_filter'
  | 'refusal'
  | 'pause'
  | 'malformed'
  | 'cancelled'
  | 'error';

/** Who a message is from: a person (`user`, the default) or the system (`background`, read at a turn's end). */
export type MessagePriority = 'user' | 'background';

/** How a child run (an agent used as a tool) settled. */
export type ChildRunStatus = 'succeeded' | 'failed' | 'cancelled';

/** A monotone patch admission applied to one agent: tools removed, limits lowered. */
export interface AdmissionClamp {
  /** The invariant that asked for it. */
  invariant: string;
  agent: string;
  removeTools?: string[];
  limits?: AgentLimits;
}

/** An invariant that rejected the agent graph. */
export interface AdmissionViolation {
  invariant: string;
  message: string;
}

/** The `data` of every persisted event type, keyed by type. Documented in docs/events.md. */
export interface EventDataByType {
  'session.started': { agent: string; context?: Record<string, unknown> };
  /** `worker` is the lease owner that started this attempt, so commits are attributable. */
  'run.started': { agent: string; attempt: number; definitionHash: string; kind?: string; worker?: string };
  /** `priority` is absent for a user message. */
  'message.received': { role: 'user'; text: string; priority?: MessagePriority };
  /** A schedule's tick (`<agent>/<id>`, its ISO time) fired; the tick's message follows. */
  'schedule.fired': { scheduleId: string; tick: string };
  'step.started': { step: number };
  /** A model call failed in a way worth retrying; attempt `attempt` follows after `delayMs`. */
  'model.retried': { attempt: number; maxAttempts?: number; delayMs: number; reason: string };
  /**
   * `messagesThrough`: the run had read the session's messages up to this seq when it made the
   * request; a `message.received` after it, committed before this response, came during the call
   * and is answered after it (absent in logs written before it was recorded).
   */
  'message.completed': {
    role: 'assistant';
    text: string;
    toolCalls: ToolCallRecord[];
    finishReason: FinishReason;
    usage: Usage;
    messagesThrough?: number;
  };
  'tool.started': { toolCallId: string; name: string; input: unknown };
  'tool.result': {
    toolCallId: string;
    name: string;
    ok: boolean;
    output: unknown;
    error?: ErrorBody;
    durationMs: number;
  };
  /** A tool's write to the session's context, committed with (right after) its `tool.result`. */
  'context.updated': { key: string; value: unknown };
  'step.completed': { step: number };
  /** The run's active agent changed from `from` to `to` (the model called `transfer_to_<to>`). */
  'handoff.occurred': { from: string; to: string; reason?: string };
  /**
   * The model activated skill `name` (`activate_skill`), committed with that call's `tool.result`;
   * `hash` is the skill's at activation. It stays active for the rest of the session.
   */
  'skill.activated': { name: string; hash: string };
  /** A guardrail stopped a user message (`input`), the final answer (`output`) or a tool call (`tool`). */
  'guardrail.tripped': { name: string; on: GuardrailKind; reason: string; action: GuardrailAction };
  /**
   * The agent graph was checked at the run's start, before a handoff or before a child start
   * (then `toolCallId` names the call that starts it); `ok` is false when rejected.
   */
  'admission.checked': {
    ok: boolean;
    clamps: AdmissionClamp[];
    violations: AdmissionViolation[];
    toolCallId?: string;
  };
  /** A tool call of an agent used as a tool started its child run in session `childSessionId`. */
  'subagent.started': { childSessionId: string; agent: string; toolCallId: string };
  /** That child run settled; `output` is its final answer (or its error), `usage` rolls up into this run. */
  'subagent.completed': {
    childSessionId: string;
    status: ChildRunStatus;
    output: unknown;
    usage: Usage;
  };
  /** A fan-out call's children: `completed` of `total` have settled (`toolCallId` names the call). */
  'fanout.progress': { completed: number; total: number; toolCallId?: string };
  'run.completed': { status: 'succeeded'; text: string; usage: Usage };
  'run.failed': { error: ErrorBody };
  'run.cancelled': { reason?: string };
  /** A failed run was queued again under the same id for attempt `attempt`. */
  'run.retried': { attempt: number };
  'sandbox.command': {
    command: string[];
    exitCode: number | null;
    signal?: string | null;
    timedOut: boolean;
    durationMs: number;
    /** The last bytes of stdout (at most 4 KiB). */
    outputTail: string;
    /** The last bytes of stderr (at most 4 KiB). */
    errorTail: string;
  };
  'workspace.captured': { manifestHash: string; baseRef: string; denied: { path: string; reason: string }[] };
  'workspace.patch': { patchHash: string | null; files: number; insertions: number; deletions: number };
  /**
   * The plane re-checked a hand-off's policy (docs/handoff.md) before queueing the run; only a
   * `continue` queues one, so a run's log only ever records that. `envelopeHash` is the blob of
   * the envelope the contract pins.
   */
  'policy.decided': { decision: 'continue' | 'deny'; reasons: string[]; envelopeHash: string };
  /** A signed contract (docs/proof.md) was issued for the run; its canonical JSON is blob `contractHash`. */
  'contract.issued': {
    contractHash: string;
    signature: { alg: 'ed25519'; publicKey: string; signature: string };
  };
  /** A signed receipt was issued; `envelopeHash` is the blob of the receipt file, `receiptHash` of the receipt. */
  'receipt.issued': { envelopeHash: string; receiptHash: string };
  'task.progress': { iteration: number; phase: string };
  /**
   * A tool call waits for a person's (or the policy's) decision. `inputHash` binds the decision
   * to this exact input; `runPath` is the chain of run ids from the session's root run to the
   * run that asked; `human` when only a person may decide (`needsApproval: 'human'`).
   */
  'approval.requested': {
    approvalId: string;
    toolCallId: string;
    name: string;
    input: unknown;
    inputHash: string;
    agent: string;
    requestedAt: string;
    expiresAt?: string;
    runPath: string[];
    human?: true;
    /** Set when a tool guardrail escalated the call (`action: 'escalate'`) rather than its `needsApproval`. */
    guardrail?: { name: string; reason: string };
  };
  /** The decision on an approval: `by` is the authenticated principal, `policy`, or `mcp:<client>`. */
  'approval.decided': { approvalId: string; decision: 'approve' | 'deny'; by: string; reason?: string };
  /** An approval passed its `expiresAt` undecided; its tool call fails with `approval_expired`. */
  'approval.expired': { approvalId: string; expiresAt: string };
  /** The agent asked a person a question (`ask_question`); the answer becomes the tool's result. */
  'input.requested': {
    requestId: string;
    toolCallId: string;
    question: string;
    choices?: string[];
    schema?: Record<string, unknown>;
    agent: string;
    runPath: string[];
  };
  /** The answer to a question, validated against its choices or schema. */
  'input.provided': { requestId: string; answer: unknown; by: string };
  /**
   * The run parked until the named approvals and questions are settled and, with
   * `waitingOn: 'children'`, until a child run of `childSessionIds` settles (agents used as
   * tools) or a background child of `taskIds` reports (idle-yield); it holds no worker.
   */
  'run.waiting': {
    approvalIds: string[];
    requestIds: string[];
    waitingOn?: 'children';
    childSessionIds?: string[];
    taskIds?: string[];
  };
  /**
   * The older part of the transcript was summarised into `summary` (docs/project-layout.md,
   * "Compaction"): from here on the model sees the summary and the last `keptMessages` messages.
   * `upToSeq` is the newest event the summarised transcript had seen; token counts are estimates.
   * `messagesThrough`: as on `message.completed`, a message after it came during the summary and
   * is not among the kept messages.
   */
  'transcript.compacted': {
    upToSeq: number;
    summary: string;
    tokensBefore: number;
    tokensAfter: number;
    keptMessages: number;
    messagesThrough?: number;
  };
}

/** Every persisted event type (`session.started`, `tool.result`, ...). */
export type PersistedEventType = keyof EventDataByType;

/** A persisted event: append-only per session, `seq` gapless from 0, hash-chained. */
export type BatonEvent<T extends PersistedEventType = PersistedEventType> = {
  [K in T]: {
    seq: number;
    sessionId: string;
    runId: string;
    type: K;
    ts: string;
    data: EventDataByType[K];
    hash: string;
  };
}[T];

/** What a caller hands to a journal or store; seq, ts and hash are assigned at commit. */
export type EventDraft<T extends PersistedEventType = PersistedEventType> = {
  [K in T]: { type: K; data: EventDataByType[K] };
}[T];

/** Live-only token delta: streamed to connected readers, never persisted, carries no `seq`. */
export interface ModelDeltaEvent {
  type: 'model.delta';
  sessionId: string;
  runId: string;
  step: number;
  delta: string;
}

/** Everything a stream reader can receive. */
export type StreamEvent = BatonEvent | ModelDeltaEvent;

/** The `prevHash` of the first event of every session. */
export const GENESIS_HASH = '0'.repeat(64);

/** `sha256hex(prevHash + canonicalJSON(event without hash))`. */
export function computeEventHash(prevHash: string, event: Omit<BatonEvent, 'hash'>): string {
  return sha256Hex(prevHash + canonicalJson(event));
}

/** Builds the next event of a chain; the single place where seq and hash are assigned. */
export function sealEvent(
  head: { seq: number; hash: string } | undefined,
  fields: { sessionId: string; runId: string; ts: string } & EventDraft,
): BatonEvent {
  const unsealed = {
    seq: head ? head.seq + 1 : 0,
    sessionId: fields.sessionId,
    runId: fields.runId,
    type: fields.type,
    ts: fields.ts,
    data: fields.data,
  } as Omit<BatonEvent, 'hash'>;
  return { ...unsealed, hash: computeEventHash(head?.hash ?? GENESIS_HASH, unsealed) } as BatonEvent;
}

/** Result of checking a session's chain: the first bad `seq`, if any, and why. */
export type ChainVerdict =
  | { ok: true; head: string; count: number }
  | { ok: false; seq: number; reason: string };

/**
 * Recomputes a session's hash chain from its first event, or from just after `after` (the last
 * event an earlier call verified), so a long log can be checked page by page.
 */
export function verifyChain(
  events: Iterable<BatonEvent>,
  after?: { seq: number; hash: string },
): ChainVerdict {
  let prevHash = after?.hash ?? GENESIS_HASH;
  let expectedSeq = after === undefined ? 0 : after.seq + 1;
  for (const event of events) {
    if (event.seq !== expectedSeq) {
      return { ok: false, seq: expectedSeq, reason: `expected seq ${expectedSeq}, found ${event.seq}` };
    }
    const { hash, ...rest } = event;
    if (computeEventHash(prevHash, rest) !== hash) {
      return { ok: false, seq: event.seq, reason: 'hash does not match the event and its predecessor' };
    }
    prevHash = hash;
    expectedSeq += 1;
  }
  return { ok: true, head: prevHash, count: expectedSeq };
}

/** Terminal run events; a run whose log holds one of these is finished. */
export const TERMINAL_RUN_EVENTS = ['run.completed', 'run.failed', 'run.cancelled'] as const;

/** True for `run.completed`, `run.failed` and `run.cancelled`. */
export function isTerminalRunEvent(event: { type: string }): boolean {
  return (TERMINAL_RUN_EVENTS as readonly string[]).includes(event.type);
}
