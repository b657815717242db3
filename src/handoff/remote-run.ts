import type { BatonEvent, StreamEvent } from '../core/events.js';
import type { RunReader } from '../governed/pull-trust.js';
import type { RunRecord } from '../store/run-store.js';
import type { PlaneClient } from './plane-client.js';

/** A {@link RunReader} over the plane's HTTP API, so that pull-back verifies what the plane holds. */
export function remoteRunReader(client: PlaneClient): RunReader {
  return {
    async getRun(runId): Promise<RunRecord | undefined> {
      // The view hides the lease token, which pull-back never reads.
      return { ...(await client.api.getRun(runId)), lease: null };
    },
    readEvents: (sessionId) => storedEvents(client, sessionId),
    getBlob: (hash) => client.getBlob(hash),
  };
}

/** Every stored event of a session, in order (live model deltas left out). */
export async function storedEvents(
  client: PlaneClient,
  sessionId: string,
  signal?: AbortSignal,
): Promise<BatonEvent[]> {
  const events: BatonEvent[] = [];
  for await (const event of client.api.stream(sessionId, { from: 0, ...(signal && { signal }) })) {
    if (isStored(event)) events.push(event);
  }
  return events;
}

function isStored(event: StreamEvent): event is BatonEvent {
  return event.type !== 'model.delta';
}
