import type { StreamEvent } from '../../core/events.js';
import type { DisconnectedFrame } from './event-frames.js';

type EncodedFrame = StreamEvent | DisconnectedFrame;

const cache = new WeakMap<EncodedFrame, string>();

/**
 * The JSON text of an event, computed once per event object. Every reader of a session
 * receives the same object from the store's notification, so with many readers the event is
 * serialised once rather than once per reader.
 */
export function eventJson(event: EncodedFrame): string {
  let json = cache.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    cache.set(event, json);
  }
  return json;
}
