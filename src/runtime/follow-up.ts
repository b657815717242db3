import type { BatonEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { RunRecord } from '../store/store.js';
import type { RuntimeContext } from './runtime-context.js';

/**
 * The idempotency key of the run that follows `previousRunId` in a session. Everyone who wants
 * to start the next run (two concurrent `deliver`s, a worker finishing with unread messages)
 * uses this key, so the store's idempotency makes exactly one of them create it: a session
 * never gets two active runs.
 */
export function nextRunKey(sessionId: string, previousRunId: string | undefined): string {
  return `baton:${sessionId}:after:${previousRunId ?? 'start'}`;
}

/**
 * Creates (or joins) the queued run that answers messages already committed to the session.
 * The messages stay where they are in the log; the loop rebuilds the transcript from the whole
 * session, so the new run sees them without a second copy.
 */
export async function enqueueNextRun(
  context: RuntimeContext,
  session: { id: string; agent: string },
  previousRunId: string | undefined,
  input: Record<string, unknown>,
  runId: string = newId('run'),
): Promise<RunRecord> {
  const { run } = await context.store.createRun({
    id: runId,
    sessionId: session.id,
    agent: session.agent,
    kind: 'message',
    input,
    idempotencyKey: nextRunKey(session.id, previousRunId),
  });
  return run;
}

/**
 * Run input flag: the run's `message` is not in the log yet; the run commits it as
 * `message.received` right after its `run.started`.
 */
export const OPENING_MESSAGE = 'openingMessage';

/** Run input whose message the run itself commits when it starts. */
export function withOpeningMessage(input: Record<string, unknown>, message: string): Record<string, unknown> {
  return { ...input, message, [OPENING_MESSAGE]: true };
}

/** The run input for messages that arrived too late for the run they were delivered to. */
export function followUpInput(previous: RunRecord, messages: readonly BatonEvent[]): Record<string, unknown> {
  const texts = messages.flatMap((event) => (event.type === 'message.received' ? [event.data.text] : []));
  // These messages are already in the log: the follow-up run must not commit them again.
  const { [OPENING_MESSAGE]: _alreadyLogged, ...rest } = previous.input;
  return { ...rest, message: texts.join('\n\n') };
}

/**
 * After a run ended at `terminalSeq`, starts a follow-up run for messages committed to it that
 * its turn never read (delivered between its last step boundary and its end). Messages that
 * arrived after the terminal event are the delivering side's to handle, so nothing is doubled.
 */
export async function followUpUnreadMessages(
  context: RuntimeContext,
  run: RunRecord,
  lastSeenSeq: number,
  terminalSeq: number,
): Promise<void> {
  const unread = (
    await context.store.readEvents(run.sessionId, { from: lastSeenSeq + 1, types: ['message.received'] })
  ).filter((event) => event.seq < terminalSeq);
  if (unread.length === 0) return;
  await enqueueNextRun(context, { id: run.sessionId, agent: run.agent }, run.id, followUpInput(run, unread));
}
