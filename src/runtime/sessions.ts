import { checkContextSize } from '../core/context-key.js';
import { InvalidTokenError, MessageTooLargeError, NotFoundError, ValidationError } from '../core/errors.js';
import type { EventDraft, MessagePriority } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { RunRecord } from '../store/run-store.js';
import { inCurrentTrace } from '../telemetry/trace-context.js';
import { agentModulePath } from './agent-loader.js';
import { deriveToken, hashToken } from './continuation-token.js';
import { deliverToSession } from './follow-up.js';
import { checkReplayer, clientIdempotencyKey, isAuthenticated } from './idempotency.js';
import type { RuntimeContext } from './runtime-context.js';
import type { DeliverOptions, DeliverResult, StartOptions, StartResult } from './types.js';

/** The default largest message, in UTF-8 bytes: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Starts a session: the session row, `session.started` and the message as `message.received`,
 * and the queued run that answers it, in one transaction (a session never exists without its
 * run, and the message is in the log before any worker can claim the run). The same
 * `idempotencyKey` from the same caller replays the start; from another caller it is a conflict.
 */
export async function startSession(context: RuntimeContext, options: StartOptions): Promise<StartResult> {
  checkMessage(context, options.message);
  if (options.context !== undefined) checkContextSize(options.context);
  const key = options.idempotencyKey === undefined ? null : clientIdempotencyKey(options.idempotencyKey);
  if (key !== null) {
    const existing = await context.store.findRunByIdempotencyKey(key);
    if (existing) return replayStart(context, existing, options);
  }
  const started = await commitStart(context, options, key);
  // A concurrent start with the same key won the race: this one wrote nothing.
  if (!started.created) return replayStart(context, started.run, options);
  return {
    sessionId: started.run.sessionId,
    runId: started.run.id,
    continuationToken: started.continuationToken,
  };
}

/**
 * Commits a new session with its first message and run under the store key `key` (a client's
 * key, or one of the runtime's own: a conversation, a schedule tick). `created: false` means the
 * key was taken: nothing was written and `run` is the run that holds it.
 */
export async function commitStart(
  context: RuntimeContext,
  options: Omit<StartOptions, 'idempotencyKey'>,
  key: string | null,
  /** Events committed between `session.started` and the message (a `schedule.fired`). */
  before: readonly EventDraft[] = [],
  /** A child session's parent link, and what its run's input carries besides the message. */
  child?: { parentSessionId: string; parentToolCallId: string; input: Record<string, unknown> },
): Promise<{ run: RunRecord; created: boolean; continuationToken: string }> {
  checkMessage(context, options.message);
  const agent = context.agents.get(options.agent);
  // A child's agent is reachable from its parent's (served by name or through the parent's module).
  if (!agent && !context.loadAgentModule && !child) throw new NotFoundError('agent', options.agent);
  const sessionId = newId('ses');
  const runId = newId('run');
  const continuationToken = deriveToken(context.tokenSecret, sessionId);
  const agentModule = options.agentModule ?? (agent && agentModulePath(agent));
  const { run, created } = await context.store.startSession({
    session: {
      id: sessionId,
      agent: options.agent,
      context: options.context ?? {},
      auth: options.caller ? { initiator: options.caller, current: options.caller } : {},
      tokenHash: hashToken(continuationToken),
      ...(child && { parentSessionId: child.parentSessionId, parentToolCallId: child.parentToolCallId }),
    },
    events: [
      {
        type: 'session.started',
        data: { agent: options.agent, ...(options.context && { context: options.context }) },
      },
      ...before,
      messageDraft(options.message),
    ],
    run: inCurrentTrace({
      id: runId,
      sessionId,
      agent: options.agent,
      kind: 'message',
      input: {
        message: options.message,
        ...(options.model !== undefined && { model: options.model }),
        ...child?.input,
      },
      idempotencyKey: key,
      agentModule: agentModule ?? null,
    }),
  });
  return { run, created, continuationToken };
}

/**
 * Delivers a follow-up message: committed once, in the same transaction that makes sure a
 * run will read it (the session's active run, or the next run it queues).
 */
export async function deliverMessage(
  context: RuntimeContext,
  options: DeliverOptions,
): Promise<DeliverResult> {
  checkMessage(context, options.message);
  const session = await context.store.findSessionByTokenHash(hashToken(options.continuationToken));
  if (!session) throw new InvalidTokenError();
  const draft = messageDraft(options.message, options.priority);
  const run = await deliverToSession(context, session, draft, options.caller);
  return { sessionId: session.id, runId: run, continuationToken: options.continuationToken };
}

/**
 * The answer to a start whose idempotency key was used before: the caller must be the one who
 * used it; only an authenticated caller gets the token back, and only when it can be derived
 * (the token secret is unchanged). A replay never rotates the token.
 */
async function replayStart(
  context: RuntimeContext,
  run: RunRecord,
  options: StartOptions,
): Promise<StartResult> {
  const session = await context.store.getSession(run.sessionId);
  if (!session) throw new NotFoundError('session', run.sessionId);
  checkReplayer(session, options.caller);
  const replay: StartResult = { sessionId: session.id, runId: run.id, replayed: true };
  if (!isAuthenticated(options.caller)) return replay;
  const continuationToken = deriveToken(context.tokenSecret, session.id);
  return hashToken(continuationToken) === session.tokenHash ? { ...replay, continuationToken } : replay;
}

/** A message's event; `priority` is recorded only when it is `background`, so user messages read as before. */
export function messageDraft(
  text: string,
  priority: MessagePriority = 'user',
): EventDraft<'message.received'> {
  return {
    type: 'message.received',
    data: { role: 'user', text, ...(priority === 'background' && { priority }) },
  };
}

function checkMessage(context: RuntimeContext, message: unknown): void {
  if (typeof message !== 'string' || message.length === 0) {
    throw new ValidationError('message must be a non-empty string', 'message');
  }
  if (Buffer.byteLength(message, 'utf8') > context.maxMessageBytes) {
    throw new MessageTooLargeError(context.maxMessageBytes);
  }
}
