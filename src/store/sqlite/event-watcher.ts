import type { BatonEvent } from '../../core/events.js';
import type { EventHub } from '../event-hub.js';
import type { EventRow } from './rows.js';
import { eventFromRow } from './rows.js';
import type { SqliteStatements } from './statements.js';

const BATCH = 500;

/**
 * Delivers events to in-process subscribers exactly once and in commit order, whichever
 * process committed them. It follows `events.pos` (the global commit order) with a cursor:
 * this connection's own commits are published right after they commit, and while anyone is
 * subscribed a timer checks `PRAGMA data_version` — which changes only when another
 * connection commits — and reads past the cursor when it moved.
 */
export class EventWatcher {
  readonly #statements: SqliteStatements;
  readonly #hub: EventHub;
  readonly #intervalMs: number;
  #cursor = 0;
  #dataVersion = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(statements: SqliteStatements, hub: EventHub, intervalMs: number) {
    this.#statements = statements;
    this.#hub = hub;
    this.#intervalMs = intervalMs;
  }

  /** Starts following from the current end of the log (the first subscriber arrived). */
  start(): void {
    if (this.#timer) return;
    this.#dataVersion = this.#statements.dataVersion.get() as number;
    this.#cursor = this.#statements.maxEventPos.get() as number;
    this.#timer = setInterval(() => {
      try {
        this.poll();
      } catch {
        // A failed look (the file briefly unreadable, say) is retried on the next tick; the
        // cursor only moves after a successful read, so nothing is skipped.
      }
    }, this.#intervalMs);
    // Watching must never keep a process alive on its own.
    this.#timer.unref();
  }

  /** Stops the timer (the last subscriber left, or the store closed). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Publishes events this connection just committed at positions `firstPos`..; catches up first if others committed in between. */
  committed(events: readonly BatonEvent[], firstPos: number): void {
    if (!this.#timer || events.length === 0) return;
    if (firstPos === this.#cursor + 1) {
      this.#cursor = firstPos + events.length - 1;
      this.#hub.publish(events);
      return;
    }
    this.#catchUp();
  }

  /** One timer tick: reads new events when another connection committed since the last look. */
  poll(): void {
    const version = this.#statements.dataVersion.get() as number;
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    this.#catchUp();
  }

  #catchUp(): void {
    for (;;) {
      const rows = this.#statements.eventsAfter.all(this.#cursor, BATCH) as EventRow[];
      const last = rows.at(-1);
      if (!last) return;
      this.#cursor = last.pos;
      this.#hub.publish(rows.map(eventFromRow));
      if (rows.length < BATCH || !this.#timer) return;
    }
  }
}
