import { NotFoundError } from '../core/errors.js';
import type { SessionRecord } from '../store/run-store.js';
import type { RuntimeContext } from './runtime-context.js';

/** The session, or `NotFoundError`. */
export async function requireSession(context: RuntimeContext, sessionId: string): Promise<SessionRecord> {
  const session = await context.store.getSession(sessionId);
  if (!session) throw new NotFoundError('session', sessionId);
  return session;
}
