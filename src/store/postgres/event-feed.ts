import type { BatonEvent } from '../../core/events.js';
import { ALL_SESSIONS, EventHub } from '../event-hub.js';
import type { EventListener } from '../run-store.js';
import type { AppendNotice } from './append-notifier.js';

/** How the feed reads what it must deliver. */
export interface FeedSource {
  /** Events of a session with `seq >= from`, ascending. */
  readFrom(sessionId: string, from: number): Promise<BatonEvent[]>;
  /** Events with `seq >= fromSeq` or stamped at or after `ts` (ISO), ascending. */
  readFresh(sessionId: string, fromSeq: number | null, ts: string): Promise<BatonEvent[]>;
  /** Sessions that got events at or after `since` (epoch ms). */
  sessionsWithEventsSince(since: number): Promise<string[]>;
}

/**
 * Clocks of the machine that lost the connection and of the database may disagree; catch-up
 * after a reconnect looks this far further back and relies on the cursors to skip repeats.
 */
const CATCH_UP_MARGIN_MS = 60_000;

/**
 * Fan-out of committed events to this process's subscribers, whichever process committed
 * them. A commit (local, or announced by NOTIFY) only says "events up to seq N exist"; per
 * session the feed keeps the last delivered `seq` (the cursor), handles one delivery at a time
 * and reads what follows the cursor, so events arrive in order, without gaps and never twice,
 * even when notifications arrive out of order. A session with no cursor yet (nothing delivered
 * since its first subscription) gets the announced events plus any stamped since it was
 * subscribed to, so an earlier commit whose notification is still on its way is not skipped.
 */
export class EventFeed {
  private readonly hub = new EventHub();
  private readonly interest = new Map<string, number>();
  private readonly cursors = new Map<string, number>();
  private readonly subscribedAt = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly source: FeedSource,
    private readonly onError: (error: unknown) => void,
  ) {}

  subscribe(sessionId: string, listener: EventListener): () => void {
    this.interest.set(sessionId, (this.interest.get(sessionId) ?? 0) + 1);
    if (!this.subscribedAt.has(sessionId)) this.subscribedAt.set(sessionId, Date.now());
    const unsubscribe = this.hub.subscribe(sessionId, listener);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      unsubscribe();
      const left = (this.interest.get(sessionId) ?? 1) - 1;
      if (left > 0) {
        this.interest.set(sessionId, left);
        return;
      }
      this.interest.delete(sessionId);
      this.subscribedAt.delete(sessionId);
      this.forgetUnwatchedCursors();
    };
  }

  /** Events this process just committed; resolves once they reached the subscribers. */
  committed(events: readonly BatonEvent[]): Promise<void> {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last || !this.wants(first.sessionId)) return Promise.resolve();
    return this.enqueue(first.sessionId, async () => {
      const cursor = this.cursors.get(first.sessionId);
      // The common case, the next events after the cursor, needs no read.
      if (cursor !== undefined && cursor + 1 === first.seq) this.deliver(first.sessionId, events);
      else await this.catchUp(first.sessionId, { fromSeq: first.seq, toSeq: last.seq });
    });
  }

  /** A commit announced by NOTIFY, possibly from another process. */
  notified(notice: AppendNotice): void {
    if (!this.wants(notice.sessionId)) return;
    void this.enqueue(notice.sessionId, () => this.catchUp(notice.sessionId, notice));
  }

  /**
   * After the LISTEN connection was lost and is back: sessions with a cursor continue from it,
   * subscribed sessions without one get what was stamped since they were subscribed to, and
   * `*` subscribers also get the sessions that changed since shortly before the loss.
   */
  async reconnected(lostAt: number): Promise<void> {
    const sessions = new Set([...this.cursors.keys(), ...this.interest.keys()]);
    sessions.delete(ALL_SESSIONS);
    if (this.interest.has(ALL_SESSIONS)) {
      for (const id of await this.source.sessionsWithEventsSince(lostAt - CATCH_UP_MARGIN_MS))
        sessions.add(id);
    }
    for (const sessionId of sessions) void this.enqueue(sessionId, () => this.catchUp(sessionId, undefined));
    await Promise.all(this.queues.values());
  }

  /** Drops every subscriber. */
  clear(): void {
    this.hub.clear();
    this.interest.clear();
    this.cursors.clear();
    this.subscribedAt.clear();
  }

  private wants(sessionId: string): boolean {
    return this.interest.has(sessionId) || this.interest.has(ALL_SESSIONS);
  }

  private async catchUp(sessionId: string, notice: Pick<AppendNotice, 'fromSeq' | 'toSeq'> | undefined) {
    if (!this.wants(sessionId)) return;
    const cursor = this.cursors.get(sessionId);
    if (cursor !== undefined) {
      if (notice === undefined || cursor < notice.toSeq) {
        this.deliver(sessionId, await this.source.readFrom(sessionId, cursor + 1));
      }
      return;
    }
    const since = Math.min(
      this.subscribedAt.get(sessionId) ?? Number.POSITIVE_INFINITY,
      this.subscribedAt.get(ALL_SESSIONS) ?? Number.POSITIVE_INFINITY,
    );
    const ts = new Date(Number.isFinite(since) ? since : Date.now()).toISOString();
    this.deliver(sessionId, await this.source.readFresh(sessionId, notice?.fromSeq ?? null, ts));
  }

  private deliver(sessionId: string, events: readonly BatonEvent[]): void {
    const cursor = this.cursors.get(sessionId) ?? -1;
    const fresh = events.filter((event) => event.seq > cursor);
    const last = fresh.at(-1);
    if (!last) return;
    this.cursors.set(sessionId, last.seq);
    this.hub.publish(fresh);
  }

  // One delivery at a time per session; a failed read is reported and the next notice retries.
  private enqueue(sessionId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => this.onError(error));
    this.queues.set(sessionId, next);
    return next.then(() => {
      if (this.queues.get(sessionId) === next) this.queues.delete(sessionId);
    });
  }

  private forgetUnwatchedCursors(): void {
    if (this.interest.has(ALL_SESSIONS)) return;
    for (const sessionId of this.cursors.keys()) {
      if (!this.interest.has(sessionId)) this.cursors.delete(sessionId);
    }
  }
}
