import type { BatonEvent, EventDraft, ModelDeltaEvent } from '../core/events.js';
import type { SessionLog } from './session-checkpoint.js';

/**
 * Where the loop records what it does (docs/architecture.md). The loop never touches SQL:
 * `MemoryJournal` keeps events in an array, the runtime's `StoreJournal` commits them to a
 * store under the run's lease.
 */
export interface Journal {
  readonly sessionId: string;
  readonly runId: string;
  /**
   * Every committed event of the session so far, oldest first, or a checkpoint and the events
   * after it (`SessionLog`); the loop rebuilds its transcript from it.
   */
  load(): Promise<SessionLog>;
  /** Commits one event; resolves once it is durable. Throws `LeaseLostError` when fenced out. */
  append(draft: EventDraft): Promise<BatonEvent>;
  /** Commits several events in one transaction: all of them or none. */
  appendMany(drafts: EventDraft[]): Promise<BatonEvent[]>;
  /**
   * Records an event that may commit with the next `append` (or `flush`), in that transaction
   * and ahead of its events, in call order: for events whose loss in a crash changes nothing on
   * resume but a repeated model call or idempotent tool (docs/events.md, "Transactions of a
   * step"), so a step commits twice, not five times, and an answer once.
   * A journal with no commits to save (`MemoryJournal`) appends it at once and returns that
   * commit's promise; one that only stages it (`StoreJournal`) returns nothing, so the loop need
   * not await a promise per staged event (up to three a step) for work that was never there.
   */
  stage(draft: EventDraft): Promise<void> | undefined;
  /** Commits the staged events, if any; the loop calls it when a turn ends. */
  flush(): Promise<void>;
  /**
   * `message.received` events committed by others (follow-ups delivered while this run is
   * active) since the last call or since `load()`; the loop drains them at step boundaries.
   */
  drainInbox(): Promise<readonly BatonEvent<'message.received'>[]>;
  /** Seq of the newest event this journal knows the log holds (-1: none). */
  readonly knownHead: number;
  /**
   * Seq up to which the loop was handed the session's messages (by `load` and `drainInbox`): a
   * message after it has not reached the loop. A model request records it (`messagesThrough`).
   */
  readonly seen: number;
  /**
   * Optional: hands the messages from `seq` on, which `drainInbox` gave the loop, back to the
   * log's unread ones, for the session's next run; true when one will read them (a session's
   * message run, whose end queues it). The loop calls it when its run ends without a step left
   * for them.
   */
  leaveUnread?(seq: number): boolean;
  /**
   * Optional: writes a transcript checkpoint of the log as committed so far, when `minEvents`
   * or more came since the last (see `SessionCheckpoint`). Compaction asks for one.
   */
  checkpoint?(minEvents: number): Promise<number | undefined>;
  /** Sends a live-only event (token deltas) to connected readers; never persisted. */
  emitLive(event: ModelDeltaEvent): void;
}
