import type { BatonEvent, EventDraft, ModelDeltaEvent, StreamEvent } from '../core/events.js';
import { sealEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Journal } from './journal.js';
import type { SessionLog } from './session-checkpoint.js';

/** Options of {@link MemoryJournal}. */
export interface MemoryJournalOptions {
  sessionId?: string;
  runId?: string;
  /** Events already in the session (e.g. a copy of another journal's log, to resume from). */
  events?: readonly BatonEvent[];
  /** Clock for event timestamps. */
  now?: () => number;
}

/**
 * An in-memory {@link Journal}: the session log is an array of sealed, hash-chained events.
 * `deliver(text)` commits a follow-up message as another party would, and it is drained at the
 * next step boundary. Listeners receive every persisted and live event.
 */
export class MemoryJournal implements Journal {
  readonly sessionId: string;
  readonly runId: string;
  private readonly log: BatonEvent[];
  private inbox: BatonEvent<'message.received'>[] = [];
  private seenThrough = -1;
  private readonly listeners = new Set<(event: StreamEvent) => void>();
  private readonly now: () => number;

  constructor(options: MemoryJournalOptions = {}) {
    this.sessionId = options.sessionId ?? options.events?.[0]?.sessionId ?? newId('ses');
    this.runId = options.runId ?? newId('run');
    this.log = [...(options.events ?? [])];
    this.now = options.now ?? Date.now;
  }

  get knownHead(): number {
    return this.log.at(-1)?.seq ?? -1;
  }

  /** Seq up to which the loop was handed the log's messages: the last load's head, or a drained message. */
  get seen(): number {
    return this.seenThrough;
  }

  /** The committed events, oldest first. */
  get events(): readonly BatonEvent[] {
    return this.log;
  }

  async load(): Promise<SessionLog> {
    this.inbox = [];
    this.seenThrough = this.knownHead;
    return { events: [...this.log] };
  }

  async append(draft: EventDraft): Promise<BatonEvent> {
    return this.commit(this.runId, draft);
  }

  async appendMany(drafts: EventDraft[]): Promise<BatonEvent[]> {
    return drafts.map((draft) => this.commit(this.runId, draft));
  }

  /** Appends at once: an array has no commits to save, and each event stays a crash point of its own. */
  async stage(draft: EventDraft): Promise<void> {
    await this.append(draft);
  }

  async flush(): Promise<void> {}

  async drainInbox(): Promise<readonly BatonEvent<'message.received'>[]> {
    const drained = this.inbox;
    this.inbox = [];
    this.seenThrough = Math.max(this.seenThrough, drained.at(-1)?.seq ?? -1);
    return drained;
  }

  emitLive(event: ModelDeltaEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Commits a user message (`message.received`) as a follow-up, queued for the next step boundary. */
  deliver(text: string, runId: string = this.runId): BatonEvent<'message.received'> {
    const event = this.commit(runId, { type: 'message.received', data: { role: 'user', text } });
    this.inbox.push(event as BatonEvent<'message.received'>);
    return event as BatonEvent<'message.received'>;
  }

  /** Commits an event under any run id (e.g. the runtime's `run.started`), bypassing the inbox. */
  record(draft: EventDraft, runId: string = this.runId): BatonEvent {
    return this.commit(runId, draft);
  }

  /** Calls `listener` for every event committed or emitted from now on; returns an unsubscribe function. */
  subscribe(listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(runId: string, draft: EventDraft): BatonEvent {
    const head = this.log.at(-1);
    const event = sealEvent(head, {
      sessionId: this.sessionId,
      runId,
      ts: new Date(this.now()).toISOString(),
      ...draft,
    });
    this.log.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }
}
