import type { EventDataByType } from '../core/events.js';
import type { RunRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/** What a parked run waits on: the data of its `run.waiting`. */
export type RunWait = EventDataByType['run.waiting'];

/** What a `waiting` run waits on, from its newest `run.waiting` (undefined for any other status). */
export async function latestWait(
  store: Pick<Store, 'readEvents'>,
  run: RunRecord,
): Promise<RunWait | undefined> {
  if (run.status !== 'waiting') return undefined;
  const waits = await store.readEvents(run.sessionId, { types: ['run.waiting'] });
  const last = waits.filter((event) => event.runId === run.id).at(-1);
  return last?.type === 'run.waiting' ? last.data : undefined;
}

/** Whether a wait is on children alone: no approval or question of its own waits for a person. */
export function waitsOnChildrenOnly(wait: RunWait | undefined): boolean {
  return wait?.waitingOn === 'children' && wait.approvalIds.length === 0 && wait.requestIds.length === 0;
}
