import { eventJson } from './encoded-event.js';
import type { StreamFrame } from './event-frames.js';

/** `application/x-ndjson`: one JSON event per line. Heartbeats are dropped (a line must be an event). */
export function ndjsonEncoder(): TransformStream<StreamFrame, Uint8Array> {
  const encoder = new TextEncoder();
  return new TransformStream({
    transform(frame, controller) {
      if (frame.type === 'heartbeat') return;
      controller.enqueue(encoder.encode(`${eventJson(frame)}\n`));
    },
  });
}
