import type { StreamEvent } from '../../core/events.js';

const cache = new WeakMap<StreamEvent, string>();

/**
 * The JSON text of an event, computed once per event object. Every reader of a session
 * receives the same object from the store's notification, so with many readers the event is
 * serialised once rather than once per reader.
 */
export function eventJson(event: StreamEvent): string {
  let json = cache.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    cache.set(event, json);
  }
  return json;
}
