import { eventJson } from './encoded-event.js';
import type { StreamFrame } from './event-frames.js';

/**
 * `text/event-stream`: `id:` is the event's `seq` (live-only `model.delta` has none, so a
 * browser's `Last-Event-ID` stays at the last persisted event), `event:` its type, `data:` the
 * event as JSON (which never contains a raw newline). Heartbeats are comments.
 */
export function sseEncoder(): TransformStream<StreamFrame, Uint8Array> {
  const encoder = new TextEncoder();
  return new TransformStream({
    transform(frame, controller) {
      if (frame.type === 'heartbeat') {
        controller.enqueue(encoder.encode(': heartbeat\n\n'));
        return;
      }
      const id = 'seq' in frame ? `id: ${frame.seq}\n` : '';
      controller.enqueue(encoder.encode(`${id}event: ${frame.type}\ndata: ${eventJson(frame)}\n\n`));
    },
  });
}
