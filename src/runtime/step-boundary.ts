import type { StepBoundary } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/**
 * What a run's step boundary needs: the store's answer when it has one without a round trip
 * (`RunStore.stepBoundary`, passed on as it is: a step boundary per step need not wrap it in a
 * promise of its own), else the head and the run read together.
 */
export function readStepBoundary(store: Store, sessionId: string, runId: string): Promise<StepBoundary> {
  return store.stepBoundary ? store.stepBoundary(sessionId, runId) : readHeadAndRun(store, sessionId, runId);
}

async function readHeadAndRun(store: Store, sessionId: string, runId: string): Promise<StepBoundary> {
  const [head, run] = await Promise.all([store.head(sessionId), store.getRun(runId)]);
  return { head, cancelRequested: run?.cancelRequested ?? false };
}
