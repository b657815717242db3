import type { Store } from '../store/store.js';

/**
 * Whether `childSessionId` is recorded as a child of `parentSessionId` (its `parentSessionId`).
 * A `subagent.started` is data a runner may have written: what follows one into another session
 * (streams, approvals from below, the tree a run executes) checks the session record first, so
 * that one naming the session itself, an ancestor or an unrelated session opens nothing.
 */
export async function isRecordedChild(
  store: Pick<Store, 'getSession'>,
  childSessionId: string,
  parentSessionId: string,
): Promise<boolean> {
  return (await store.getSession(childSessionId))?.parentSessionId === parentSessionId;
}
