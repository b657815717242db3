import type { BatonEvent } from '../core/events.js';
import type { EventListener } from './run-store.js';

/** The `subscribe` key that receives the events of every session. */
export const ALL_SESSIONS = '*';

/**
 * In-process fan-out of committed events to `subscribe` listeners. Stores publish after commit;
 * `onActiveChange` tells a store when the first listener arrives or the last one leaves, so it
 * can start or stop watching for other processes' commits.
 */
export class EventHub {
  readonly #listeners = new Map<string, Set<EventListener>>();
  #count = 0;
  readonly #onActiveChange: ((active: boolean) => void) | undefined;

  constructor(options: { onActiveChange?: (active: boolean) => void } = {}) {
    this.#onActiveChange = options.onActiveChange;
  }

  /** True while at least one listener is subscribed. */
  get active(): boolean {
    return this.#count > 0;
  }

  /** Adds a listener for one session (or `*`); returns an idempotent unsubscribe. */
  subscribe(sessionId: string, listener: EventListener): () => void {
    let set = this.#listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.#listeners.set(sessionId, set);
    }
    // A wrapper makes every subscription distinct, even for the same function subscribed twice.
    const entry: EventListener = (event) => listener(event);
    set.add(entry);
    this.#count += 1;
    if (this.#count === 1) this.#onActiveChange?.(true);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      set.delete(entry);
      if (set.size === 0) this.#listeners.delete(sessionId);
      this.#count -= 1;
      if (this.#count === 0) this.#onActiveChange?.(false);
    };
  }

  /** Delivers events in order to the session's listeners and to `*` listeners. */
  publish(events: readonly BatonEvent[]): void {
    if (this.#count === 0) return;
    for (const event of events) {
      this.#deliver(this.#listeners.get(event.sessionId), event);
      this.#deliver(this.#listeners.get(ALL_SESSIONS), event);
    }
  }

  /** Drops every listener (on close). */
  clear(): void {
    const wasActive = this.#count > 0;
    this.#listeners.clear();
    this.#count = 0;
    if (wasActive) this.#onActiveChange?.(false);
  }

  #deliver(set: Set<EventListener> | undefined, event: BatonEvent): void {
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // The event is already committed: a throwing listener must neither fail the commit
        // that triggered it nor keep the other listeners from seeing the event.
      }
    }
  }
}
