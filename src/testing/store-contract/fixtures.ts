import { newId } from '../../core/ids.js';
import type { RunRecord, RunStore, SessionRecord } from '../../store/run-store.js';

/** A fresh session with a unique id and token hash. */
export function createSession(store: RunStore, agent = 'agent'): Promise<SessionRecord> {
  const id = newId('ses');
  return store.createSession({ id, agent, context: { topic: 'x' }, auth: {}, tokenHash: `hash-${id}` });
}

/** A fresh queued run in `sessionId`. */
export async function createRun(
  store: RunStore,
  sessionId: string,
  idempotencyKey: string | null = null,
): Promise<RunRecord> {
  const { run } = await store.createRun({
    id: newId('run'),
    sessionId,
    agent: 'agent',
    kind: 'message',
    input: { message: 'hello' },
    idempotencyKey,
  });
  return run;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
