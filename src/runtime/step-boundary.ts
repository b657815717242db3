import type { StepBoundary } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/**
 * What a run's step boundary needs: the store's answer when it has one without a round trip
 * (`RunStore.stepBoundary`), else the head and the run read together.
 */
export async function readStepBoundary(
  store: Store,
  sessionId: string,
  runId: string,
): Promise<StepBoundary> {
  if (store.stepBoundary) return store.stepBoundary(sessionId, runId);
  const [head, run] = await Promise.all([store.head(sessionId), store.getRun(runId)]);
  return { head, cancelRequested: run?.cancelRequested ?? false };
}
