import { InvalidTokenError, NotFoundError, ValidationError } from '../core/errors.js';
import type { BatonEvent } from '../core/events.js';
import { isTerminalRunEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { RunRecord, SessionRecord } from '../store/store.js';
import { deriveToken, hashToken } from './continuation-token.js';
import { enqueueNextRun, followUpInput, withOpeningMessage } from './follow-up.js';
import type { RuntimeContext } from './runtime-context.js';
import type { DeliverOptions, StartOptions, StartResult } from './types.js';

/** Run statuses during which a session's run is still going to read new messages. */
export const ACTIVE_RUN_STATUSES: RunRecord['status'][] = ['queued', 'running', 'waiting'];

/**
 * Starts a session: the session row, `session.started`, then the queued run carrying the
 * message. The run commits that message as `message.received` right after its `run.started`
 * (see `openingMessage`), so every run's log reads `run.started`, `message.received`, steps.
 * Same `idempotencyKey` → the same session and run.
 */
export async function startSession(context: RuntimeContext, options: StartOptions): Promise<StartResult> {
  checkMessage(options.message);
  if (!context.agents.has(options.agent) && !context.resolveAgent) {
    throw new NotFoundError('agent', options.agent);
  }
  if (options.idempotencyKey !== undefined) {
    const existing = await context.store.findRunByIdempotencyKey(options.idempotencyKey);
    if (existing) return replayStart(context, existing);
  }
  const sessionId = newId('ses');
  const runId = newId('run');
  const continuationToken = deriveToken(context.tokenSecret, sessionId);
  const auth = options.caller ? { initiator: options.caller, current: options.caller } : {};
  await context.store.createSession({
    id: sessionId,
    agent: options.agent,
    context: options.context ?? {},
    auth,
    tokenHash: hashToken(continuationToken),
  });
  await context.store.append(
    sessionId,
    [
      {
        type: 'session.started',
        data: { agent: options.agent, ...(options.context && { context: options.context }) },
      },
    ],
    { runId },
  );
  const { run } = await context.store.createRun({
    id: runId,
    sessionId,
    agent: options.agent,
    kind: 'message',
    input: runInput(options),
    idempotencyKey: options.idempotencyKey ?? null,
  });
  // A concurrent start with the same key won the race: its session is the one to use.
  if (run.id !== runId) return replayStart(context, run);
  return { sessionId, runId, continuationToken };
}

/**
 * Delivers a follow-up message. While a run is active the message joins its inbox (drained at
 * the next step boundary); otherwise it starts the session's next run.
 */
export async function deliverMessage(context: RuntimeContext, options: DeliverOptions): Promise<StartResult> {
  checkMessage(options.message);
  const session = await context.store.findSessionByTokenHash(hashToken(options.continuationToken));
  if (!session) throw new InvalidTokenError();
  if (options.caller) {
    await context.store.updateSession(session.id, { auth: { ...session.auth, current: options.caller } });
  }
  const latest = (await context.store.listRuns({ sessionId: session.id, limit: 1 })).items[0];
  const message = {
    type: 'message.received' as const,
    data: { role: 'user' as const, text: options.message },
  };
  const result = (runId: string): StartResult => ({
    sessionId: session.id,
    runId,
    continuationToken: options.continuationToken,
  });
  if (latest && ACTIVE_RUN_STATUSES.includes(latest.status)) {
    const [event] = await context.store.append(session.id, [message], { runId: latest.id });
    const followUp = event && (await missedByRun(context, latest, event));
    return result(followUp?.id ?? latest.id);
  }
  const runId = newId('run');
  const run = await enqueueNextRun(
    context,
    session,
    latest?.id,
    withOpeningMessage({ ...latest?.input }, options.message),
    runId,
  );
  if (run.id !== runId) {
    // A concurrent delivery created the next run first: this message joins that run's inbox.
    const [event] = await context.store.append(session.id, [message], { runId: run.id });
    const followUp = event && (await missedByRun(context, run, event));
    return result(followUp?.id ?? run.id);
  }
  return result(run.id);
}

/**
 * A message committed to a run that ended just before the commit would never be read: the run
 * finished first. Then the session's next run answers it.
 */
async function missedByRun(
  context: RuntimeContext,
  run: RunRecord,
  message: BatonEvent,
): Promise<RunRecord | undefined> {
  const current = await context.store.getRun(run.id);
  if (!current || ACTIVE_RUN_STATUSES.includes(current.status)) return undefined;
  const ends = await context.store.readEvents(run.sessionId, {
    types: ['run.completed', 'run.failed', 'run.cancelled'],
  });
  const end = ends.filter((event) => event.runId === run.id && isTerminalRunEvent(event)).at(-1);
  if (end && end.seq > message.seq) return undefined;
  return enqueueNextRun(
    context,
    { id: run.sessionId, agent: run.agent },
    run.id,
    followUpInput(current, [message]),
  );
}

async function replayStart(context: RuntimeContext, run: RunRecord): Promise<StartResult> {
  const session = (await context.store.getSession(run.sessionId)) as SessionRecord;
  const continuationToken = deriveToken(context.tokenSecret, session.id);
  // Under another token secret the original token cannot be re-derived; the replay rotates it.
  if (hashToken(continuationToken) !== session.tokenHash) {
    await context.store.updateSession(session.id, { tokenHash: hashToken(continuationToken) });
  }
  return { sessionId: session.id, runId: run.id, continuationToken };
}

function runInput(options: StartOptions): Record<string, unknown> {
  return withOpeningMessage(
    {
      ...(options.model !== undefined && { model: options.model }),
      ...(options.agentModule !== undefined && { agentModule: options.agentModule }),
    },
    options.message,
  );
}

function checkMessage(message: unknown): void {
  if (typeof message !== 'string' || message.length === 0) {
    throw new ValidationError('message must be a non-empty string', 'message');
  }
}
