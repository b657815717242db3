import type { StreamFrame } from './stream-frame.js';

/** The two wire formats of an event stream. */
export type WireFormat = 'ndjson' | 'sse';

const encoder = new TextEncoder();
const SSE_HEARTBEAT = encoder.encode(': heartbeat\n\n');
type EncodedFrame = Exclude<StreamFrame, { type: 'heartbeat' }>;
const jsonCache = new WeakMap<EncodedFrame, string>();
const byteCaches: Record<WireFormat, WeakMap<EncodedFrame, Uint8Array>> = {
  ndjson: new WeakMap(),
  sse: new WeakMap(),
};

/**
 * A frame's bytes on the wire, encoded once per event object and format. Every reader of a
 * session receives the same object from the store's notification, so with many readers the
 * event is serialised and encoded once and the bytes are shared, rather than once per reader.
 * NDJSON is one JSON event per line and drops heartbeats (a line must be an event). SSE gives
 * persisted events their `seq` as `id:` (live-only `model.delta` has none, so a browser's
 * `Last-Event-ID` stays at the last persisted event), `event:` the type, `data:` the event as
 * JSON (which never contains a raw newline); heartbeats are comments.
 */
export function encodeFrame(frame: StreamFrame, format: WireFormat): Uint8Array | undefined {
  if (frame.type === 'heartbeat') return format === 'sse' ? SSE_HEARTBEAT : undefined;
  const cache = byteCaches[format];
  let bytes = cache.get(frame);
  if (bytes === undefined) {
    const json = eventJson(frame);
    const id = 'seq' in frame ? `id: ${frame.seq}\n` : '';
    bytes = encoder.encode(format === 'sse' ? `${id}event: ${frame.type}\ndata: ${json}\n\n` : `${json}\n`);
    cache.set(frame, bytes);
  }
  return bytes;
}

/** The JSON text of a frame, computed once per object (shared by both formats). */
function eventJson(frame: EncodedFrame): string {
  let json = jsonCache.get(frame);
  if (json === undefined) {
    json = JSON.stringify(frame);
    jsonCache.set(frame, json);
  }
  return json;
}
