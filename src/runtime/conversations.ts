import { NotFoundError } from '../core/errors.js';
import { deliverToSession } from './follow-up.js';
import type { RuntimeContext } from './runtime-context.js';
import { commitStart, messageDraft } from './sessions.js';
import type { ConverseOptions, ConverseResult } from './types.js';

/**
 * The store key of the run that started an outside conversation's session. Its own namespace:
 * clients' keys are under `client:` and the runtime's follow-up keys under `baton:`.
 */
function conversationStartKey(conversationKey: string): string {
  return `conversation:${conversationKey}`;
}

/**
 * Sends a message of an outside conversation (a Slack thread, a GitHub issue): the first one
 * starts a session whose first run holds the conversation's key, later ones are follow-ups to
 * that session. Two first messages at once race on the key in the store; the loser delivers to
 * the winner's session, so one conversation is always one session.
 */
export async function converse(context: RuntimeContext, options: ConverseOptions): Promise<ConverseResult> {
  const key = conversationStartKey(options.conversationKey);
  const existing = await context.store.findRunByIdempotencyKey(key);
  if (!existing) {
    const started = await commitStart(
      context,
      { agent: options.agent, message: options.message, ...(options.caller && { caller: options.caller }) },
      key,
      options.before,
    );
    if (started.created) return { sessionId: started.run.sessionId, runId: started.run.id, started: true };
    return followUp(context, started.run.sessionId, options);
  }
  return followUp(context, existing.sessionId, options);
}

async function followUp(
  context: RuntimeContext,
  sessionId: string,
  options: ConverseOptions,
): Promise<ConverseResult> {
  const session = await context.store.getSession(sessionId);
  if (!session) throw new NotFoundError('session', sessionId);
  const runId = await deliverToSession(
    context,
    session,
    messageDraft(options.message),
    options.caller,
    options.before,
  );
  return { sessionId, runId, started: false };
}
