import type { NewRun } from '../../src/store/run-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Queues an `exec` run for a runner pool straight into `store`, in a session of its own named
 * after `name` (`run_<name>`, `ses_<name>`), as the plane would before a runner claims it.
 */
export async function queuePoolRun(
  store: Store,
  name: string,
  run: Partial<Pick<NewRun, 'input' | 'pool' | 'agentModule'>> = {},
): Promise<{ runId: string; sessionId: string }> {
  const runId = `run_${name}`;
  const sessionId = `ses_${name}`;
  await store.startSession({
    session: { id: sessionId, agent: 'exec', context: {}, auth: {}, tokenHash: `hash_${name}` },
    events: [],
    run: {
      id: runId,
      sessionId,
      agent: 'exec',
      kind: 'exec',
      input: {},
      idempotencyKey: null,
      pool: 'default',
      ...run,
    },
  });
  return { runId, sessionId };
}
