import type { BatonEvent, EventDraft } from '../core/events.js';
import { GENESIS_HASH } from '../core/events.js';
import { canonicalJsonOfParsed, sha256Hex } from '../core/hash.js';

/** Sealed events and each one's data as the JSON text a store persists. */
export interface SealedDrafts {
  events: BatonEvent[];
  /** `dataJson[i]` is event `i`'s `data` as JSON (what `JSON.stringify(events[i].data)` would give, up to key order). */
  dataJson: string[];
}

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
  return sealDraftsWithJson(head, drafts, fields).events;
}

/**
 * {@link sealDrafts}, also handing back the JSON text each draft's data was normalised through,
 * so a store that persists data as text serialises it once. The hash is `computeEventHash`'s
 * (`sha256(prevHash + canonicalJSON(event without hash))`), with the envelope's keys written in
 * their canonical order directly: only `data` needs the general canonical serialiser.
 */
export function sealDraftsWithJson(
  head: { seq: number; hash: string } | undefined,
  drafts: readonly EventDraft[],
  fields: { sessionId: string; runId: string; ts: string },
): SealedDrafts {
  const events: BatonEvent[] = [];
  const dataJson: string[] = [];
  // The envelope's fields in RFC 8785 key order: data, runId, seq, sessionId, ts, type.
  const runId = JSON.stringify(fields.runId);
  const tail = `,"sessionId":${JSON.stringify(fields.sessionId)},"ts":${JSON.stringify(fields.ts)},"type":`;
  let seq = head ? head.seq + 1 : 0;
  let previousHash = head?.hash ?? GENESIS_HASH;
  for (const draft of drafts) {
    const json = JSON.stringify(draft.data ?? null);
    const data = JSON.parse(json) as EventDraft['data'];
    const canonical = `{"data":${canonicalJsonOfParsed(data)},"runId":${runId},"seq":${seq}${tail}${JSON.stringify(draft.type)}}`;
    const hash = sha256Hex(previousHash + canonical);
    events.push({
      seq,
      sessionId: fields.sessionId,
      runId: fields.runId,
      type: draft.type,
      ts: fields.ts,
      data,
      hash,
    } as BatonEvent);
    dataJson.push(json);
    previousHash = hash;
    seq += 1;
  }
  return { events, dataJson };
}
