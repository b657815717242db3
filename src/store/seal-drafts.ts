import type { BatonEvent, EventDraft } from '../core/events.js';
import { sealEvent } from '../core/events.js';

/**
 * Seals a batch of drafts onto a chain head. Each draft's data is normalised through JSON
 * first, so the hash is computed over exactly what a store persists and hands back: a reader
 * that re-verifies the chain from stored events gets the same hashes.
 */
export function sealDrafts(
  head: { seq: number; hash: string } | undefined,
  drafts: readonly EventDraft[],
  fields: { sessionId: string; runId: string; ts: string },
): BatonEvent[] {
  const events: BatonEvent[] = [];
  let previous = head;
  for (const draft of drafts) {
    const data = JSON.parse(JSON.stringify(draft.data ?? null)) as EventDraft['data'];
    const event = sealEvent(previous, { ...fields, type: draft.type, data } as Parameters<
      typeof sealEvent
    >[1]);
    events.push(event);
    previous = event;
  }
  return events;
}
