import type { ModelDeltaEvent } from '../core/events.js';
import { type Logger, silentLogger } from '../telemetry/logger.js';

type LiveListener = (event: ModelDeltaEvent) => void;

/**
 * In-process fan-out of live-only events (token deltas). Persisted events travel through
 * `Store.subscribe`; deltas are never stored, so only readers in the executing process see them.
 */
export class LiveBus {
  readonly #listeners = new Map<string, Set<LiveListener>>();
  readonly #logger: Logger;

  /** `logger` hears of a reader that throws (default: silent). */
  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  /** Listens to one session's live events; returns unsubscribe. */
  subscribe(sessionId: string, listener: LiveListener): () => void {
    let set = this.#listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.#listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(sessionId);
    };
  }

  emit(event: ModelDeltaEvent): void {
    for (const listener of this.#listeners.get(event.sessionId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        // A failing reader must not break the run that produced the delta.
        this.#logger.error('a live-event reader threw', { sessionId: event.sessionId, error });
      }
    }
  }
}
