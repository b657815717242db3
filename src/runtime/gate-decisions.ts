import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, UserError } from '../core/errors.js';
import type { BatonEvent, EventDraft } from '../core/events.js';
import type { ApprovalState, GateLedger, QuestionState } from '../core/gates.js';
import {
  GATE_EVENT_TYPES,
  isPastExpiry,
  isPendingApproval,
  readGates,
  sessionOfGateId,
} from '../core/gates.js';
import type { CallerIdentity } from '../core/tool.js';
import { AppendConflictError } from '../store/append-conflict.js';
import type { RunPatch, SessionPatch } from '../store/run-store.js';
import type { RuntimeContext } from './runtime-context.js';

/** Through what a decision arrived: only `person` channels may decide a `needsApproval: 'human'` tool. */
export type DecisionChannel = 'person' | 'mcp';

/** A decision on an approval (`POST /v1/approvals/:approvalId`, `baton approve`, `client.decide`). */
export interface DecisionInput {
  decision: 'approve' | 'deny';
  reason?: string;
  /** When given, must be the approval's: a decision made on another input is `stale_approval`. */
  inputHash?: string;
  /** The principal recorded as `by`. */
  by: string;
  channel?: DecisionChannel;
  /** Who asks, when it came over the API: must be the session's initiator or an admin ({@link mayDecide}). */
  caller?: CallerIdentity;
}

/** What a recorded decision answers. */
export interface DecisionResult {
  approvalId: string;
  decision: 'approve' | 'deny';
  by: string;
  decidedAt: string;
}

/** What a recorded answer returns. */
export interface AnswerResult {
  requestId: string;
  answer: unknown;
  by: string;
  answeredAt: string;
}

/** How many times a decision re-reads after someone else appended to the session first. */
const MAX_ATTEMPTS = 100;

/** The principal a caller is recorded as: `bearer:api-token`, `basic:<user>`, `anonymous`. */
export function principalOf(caller: CallerIdentity | undefined): string {
  if (caller === undefined || caller.kind === 'anonymous') return 'anonymous';
  return `${caller.kind}:${caller.subject}`;
}

/** The callers authenticated by the API's bearer or basic auth, whose identities are compared. */
function isApiPrincipal(identity: CallerIdentity | undefined): identity is CallerIdentity {
  return identity?.kind === 'bearer' || identity?.kind === 'basic';
}

/**
 * Whether `caller` may settle the gates of a session started by `initiator`: under bearer or
 * basic auth, only the initiator or an admin. Sessions an API principal did not start (library,
 * CLI, schedules, channels, tasks) and callers the API did not authenticate (the library, the
 * CLI and `baton mcp` over stdio, which hold the store; everyone under `--auth none`) are not
 * restricted.
 */
export function mayDecide(
  initiator: CallerIdentity | undefined,
  caller: CallerIdentity | undefined,
): boolean {
  if (!isApiPrincipal(caller) || caller.admin === true || !isApiPrincipal(initiator)) return true;
  return initiator.kind === caller.kind && initiator.subject === caller.subject;
}

async function authorize(
  context: RuntimeContext,
  sessionId: string,
  caller: CallerIdentity | undefined,
  gate: string,
): Promise<void> {
  if (!isApiPrincipal(caller) || caller.admin === true) return;
  const session = await context.store.getSession(sessionId);
  if (!mayDecide(session?.auth.initiator, caller)) {
    throw new ForbiddenError(
      'forbidden',
      `${principalOf(caller)} did not start session ${sessionId}: only its initiator or the admin token may settle ${gate}`,
    );
  }
}

/** A session's gates and its log's head, read so that a commit conditional on the head is exact. */
interface GateSnapshot {
  sessionId: string;
  head: number | null;
  ledger: GateLedger;
  /** Per run, the gates of its `run.waiting` when that is its newest lifecycle event (parked). */
  parked: Map<string, BatonEvent<'run.waiting'>['data']>;
}

async function snapshot(context: RuntimeContext, sessionId: string): Promise<GateSnapshot> {
  // The head first: anything appended after it makes the conditional commit fail and re-read.
  const head = (await context.store.head(sessionId))?.seq ?? null;
  const events = await context.store.readEvents(sessionId, {
    types: [...GATE_EVENT_TYPES, 'run.started', 'run.waiting'],
  });
  const parked = new Map<string, BatonEvent<'run.waiting'>['data']>();
  for (const event of events) {
    if (head !== null && event.seq > head) break;
    if (event.type === 'run.started') parked.delete(event.runId);
    if (event.type === 'run.waiting') parked.set(event.runId, event.data);
  }
  return {
    sessionId,
    head,
    ledger: readGates(events.filter((event) => head !== null && event.seq <= head)),
    parked,
  };
}

/**
 * The run patch that queues a parked run again once this commit settles the last gate it waits
 * on; nothing while other gates stay open or the run is still executing (it re-reads the log
 * before it parks, see `parkRun`).
 */
function requeue(
  snap: GateSnapshot,
  runId: string,
  settles: readonly string[],
): { runPatch: RunPatch; sessionPatch: SessionPatch; requireRunStatus: ['waiting'] } | undefined {
  const waiting = snap.parked.get(runId);
  if (waiting === undefined) return undefined;
  const open = [...waiting.approvalIds, ...waiting.requestIds].filter(
    (id) => !settles.includes(id) && isOpen(snap.ledger, id),
  );
  if (open.length > 0) return undefined;
  return {
    runPatch: { status: 'queued', lease: null },
    sessionPatch: { status: 'running' },
    requireRunStatus: ['waiting'],
  };
}

function isOpen(ledger: GateLedger, id: string): boolean {
  for (const state of ledger.approvals.values()) {
    if (state.request.approvalId === id) return state.decided === undefined && state.expired !== true;
  }
  for (const state of ledger.questions.values()) {
    if (state.request.requestId === id) return state.answer === undefined;
  }
  return false;
}

/** Commits drafts on a gate's run, conditional on the snapshot's head (and queues it when it settles its last gate). */
async function commitOnGate(
  context: RuntimeContext,
  snap: GateSnapshot,
  state: { runId: string },
  gateIds: readonly string[],
  drafts: EventDraft[],
): Promise<BatonEvent[] | undefined> {
  try {
    return await context.store.append(snap.sessionId, drafts, {
      runId: state.runId,
      expectedHeadSeq: snap.head,
      ...requeue(snap, state.runId, gateIds),
    });
  } catch (error) {
    if (error instanceof AppendConflictError) return undefined;
    throw error;
  }
}

function findApproval(ledger: GateLedger, approvalId: string): ApprovalState | undefined {
  for (const state of ledger.approvals.values()) if (state.request.approvalId === approvalId) return state;
  return undefined;
}

function findQuestion(ledger: GateLedger, requestId: string): QuestionState | undefined {
  for (const state of ledger.questions.values()) if (state.request.requestId === requestId) return state;
  return undefined;
}

function expiredError(approvalId: string): ConflictError {
  return new ConflictError(`approval ${approvalId} expired before it was decided`, 'approval_expired');
}

/**
 * Records a decision on an approval as `approval.decided`, conditional on the session's head so
 * that of two racing decisions exactly one commits (the other re-reads and gets
 * `already_decided`); the commit queues the parked run again. A decision past `expiresAt`
 * records the expiry instead and is refused with `approval_expired`.
 */
export async function decideApproval(
  context: RuntimeContext,
  approvalId: string,
  input: DecisionInput,
): Promise<DecisionResult> {
  const sessionId = sessionOfGateId('approval', approvalId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS && sessionId !== undefined; attempt += 1) {
    const snap = await snapshot(context, sessionId);
    const state = findApproval(snap.ledger, approvalId);
    if (state === undefined) break;
    await authorize(context, sessionId, input.caller, `approval ${approvalId}`);
    if (state.decided !== undefined) {
      throw new ConflictError(
        `approval ${approvalId} was already decided (${state.decided.decision}) by ${state.decided.by}`,
        'already_decided',
      );
    }
    if (state.expired) throw expiredError(approvalId);
    if (input.inputHash !== undefined && input.inputHash !== state.request.inputHash) {
      throw new ConflictError(
        `approval ${approvalId} is for input ${state.request.inputHash}, not ${input.inputHash}`,
        'stale_approval',
      );
    }
    if (state.request.human && input.channel === 'mcp') {
      throw new ForbiddenError(
        'human_required',
        `tool ${state.request.name} needs a person's decision: decide over HTTP, the CLI or the client`,
      );
    }
    if (isPastExpiry(state.request, Date.now())) {
      const { expiresAt = '' } = state.request;
      const expired = await commitOnGate(
        context,
        snap,
        state,
        [approvalId],
        [{ type: 'approval.expired', data: { approvalId, expiresAt } }],
      );
      if (expired) throw expiredError(approvalId);
      continue;
    }
    const decided = await commitOnGate(
      context,
      snap,
      state,
      [approvalId],
      [
        {
          type: 'approval.decided',
          data: {
            approvalId,
            decision: input.decision,
            by: input.by,
            ...(input.reason !== undefined && { reason: input.reason }),
          },
        },
      ],
    );
    if (decided?.[0]) {
      return { approvalId, decision: input.decision, by: input.by, decidedAt: decided[0].ts };
    }
  }
  throw new NotFoundError('approval', approvalId);
}

/** Why an answer does not fit its question, or undefined when it does. */
function answerProblem(question: QuestionState['request'], answer: unknown): string | undefined {
  if (question.choices !== undefined) {
    return typeof answer === 'string' && question.choices.includes(answer)
      ? undefined
      : `the answer must be one of ${JSON.stringify(question.choices)}`;
  }
  if (question.schema === undefined) return undefined;
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(question.schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    // A schema the model wrote that cannot be checked accepts any answer rather than none.
    return undefined;
  }
  const result = schema.safeParse(answer);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return `the answer does not match the question's schema${path === '' ? '' : ` at ${path}`}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Records the answer to a question as `input.provided` once it matches the question's choices
 * or schema (`answer_rejected` otherwise: the question stays open); the first answer wins.
 */
export async function answerQuestion(
  context: RuntimeContext,
  requestId: string,
  answer: unknown,
  by: string,
  caller?: CallerIdentity,
): Promise<AnswerResult> {
  const sessionId = sessionOfGateId('question', requestId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS && sessionId !== undefined; attempt += 1) {
    const snap = await snapshot(context, sessionId);
    const state = findQuestion(snap.ledger, requestId);
    if (state === undefined) break;
    await authorize(context, sessionId, caller, `question ${requestId}`);
    if (state.answer !== undefined) {
      throw new ConflictError(
        `question ${requestId} was already answered by ${state.answer.by}`,
        'already_decided',
      );
    }
    const problem = answerProblem(state.request, answer);
    if (problem !== undefined) throw new UserError('answer_rejected', problem);
    const provided = await commitOnGate(
      context,
      snap,
      state,
      [requestId],
      [{ type: 'input.provided', data: { requestId, answer: answer ?? null, by } }],
    );
    if (provided?.[0]) return { requestId, answer: answer ?? null, by, answeredAt: provided[0].ts };
  }
  throw new NotFoundError('input request', requestId);
}

/**
 * Records `approval.expired` for every open approval of a parked run whose `expiresAt` has
 * passed, in one conditional commit that also queues the run when nothing else stays open.
 * Returns true when it committed (false: nothing was due, or someone else appended first and
 * the next sweep looks again).
 */
export async function expireApprovals(
  context: RuntimeContext,
  sessionId: string,
  runId: string,
): Promise<boolean> {
  const snap = await snapshot(context, sessionId);
  const now = Date.now();
  const due = [...snap.ledger.approvals.values()].filter(
    (state) => state.runId === runId && isPendingApproval(state) && isPastExpiry(state.request, now),
  );
  if (due.length === 0) return false;
  const ids = due.map((state) => state.request.approvalId);
  const drafts: EventDraft[] = due.map((state) => ({
    type: 'approval.expired',
    data: { approvalId: state.request.approvalId, expiresAt: state.request.expiresAt ?? '' },
  }));
  return (await commitOnGate(context, snap, { runId }, ids, drafts)) !== undefined;
}
