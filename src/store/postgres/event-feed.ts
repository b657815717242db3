import type { BatonEvent } from '../../core/events.js';
import { ALL_SESSIONS, EventHub } from '../event-hub.js';
import type { EventListener } from '../store.js';
import type { AppendNotice } from './event-queries.js';

/** How the feed reads what it must deliver. */
export interface FeedSource {
  /** Events of a session with `seq >= from`, ascending. */
  readFrom(sessionId: string, from: number): Promise<BatonEvent[]>;
  /** Events of a session stamped at or after `ts` (ISO), ascending. */
  readSince(sessionId: string, ts: string): Promise<BatonEvent[]>;
  /** Sessions that got events at or after `since` (epoch ms). */
  sessionsWithEventsSince(since: number): Promise<string[]>;
}

/**
 * Clocks of the machine that lost the connection and of the writers may disagree; catch-up
 * after a reconnect looks this far further back and relies on the cursors to skip repeats.
 */
const CATCH_UP_MARGIN_MS = 60_000;

/**
 * Fan-out of committed events to this process's subscribers, whichever process committed
 * them. Per session it keeps the last delivered `seq` (the cursor) and handles one delivery
 * at a time, so events arrive in order, without gaps after the first one, and never twice:
 * a NOTIFY or a local commit only says "something up to seq N is committed"; the feed reads
 * from its cursor and delivers what is new.
 */
export class EventFeed {
  private readonly hub = new EventHub();
  private readonly interest = new Map<string, number>();
  private readonly cursors = new Map<string, number>();
  private readonly subscribedAt = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();
  private waiters: { sessionId: string; seq: number; resolve: () => void }[] = [];
  private listening = false;

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
      this.releaseWaiters((waiter) => !this.wants(waiter.sessionId));
    };
  }

  /**
   * Events this process just committed; resolves once they reached the subscribers (at once
   * when nobody listens). With a cursor they are delivered straight away, after reading any gap
   * first. Without one (nothing delivered since the subscription) the feed waits for the
   * commit's own NOTIFY: notifications arrive in commit order, so every earlier commit by
   * another process is delivered before this one, and the subscriber never misses one.
   */
  committed(events: readonly BatonEvent[]): Promise<void> {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last || !this.wants(first.sessionId)) return Promise.resolve();
    const sessionId = first.sessionId;
    if (this.cursors.get(sessionId) === undefined && this.listening) {
      return new Promise((resolve) => this.waiters.push({ sessionId, seq: last.seq, resolve }));
    }
    return this.enqueue(sessionId, async () => {
      const cursor = this.cursors.get(sessionId);
      if (cursor === undefined || cursor + 1 === first.seq) this.deliver(sessionId, events);
      else if (cursor < last.seq) this.deliver(sessionId, await this.source.readFrom(sessionId, cursor + 1));
    });
  }

  /** Whether NOTIFY messages are arriving; while not, local commits are delivered directly. */
  setListening(listening: boolean): void {
    this.listening = listening;
    if (!listening) this.releaseWaiters(() => true);
  }

  /** A commit announced by NOTIFY, possibly from another process. */
  notified(notice: AppendNotice): void {
    if (!this.wants(notice.sessionId)) return;
    void this.enqueue(notice.sessionId, async () => {
      const cursor = this.cursors.get(notice.sessionId);
      if (cursor !== undefined && cursor >= notice.toSeq) return;
      const from = cursor === undefined ? notice.fromSeq : cursor + 1;
      this.deliver(notice.sessionId, await this.source.readFrom(notice.sessionId, from));
    });
  }

  /**
   * After the LISTEN connection was lost and is back: sessions with a cursor continue from it;
   * subscribed sessions without one (nothing delivered yet) get the events stamped since the
   * subscription, or since shortly before the loss, whichever is later.
   */
  async reconnected(lostAt: number): Promise<void> {
    const since = lostAt - CATCH_UP_MARGIN_MS;
    const sessions = new Set([...this.cursors.keys(), ...this.interest.keys()]);
    sessions.delete(ALL_SESSIONS);
    if (this.interest.has(ALL_SESSIONS)) {
      for (const id of await this.source.sessionsWithEventsSince(since)) sessions.add(id);
    }
    for (const sessionId of sessions) {
      void this.enqueue(sessionId, async () => {
        const cursor = this.cursors.get(sessionId);
        if (cursor !== undefined) {
          this.deliver(sessionId, await this.source.readFrom(sessionId, cursor + 1));
          return;
        }
        const subscribed = this.subscribedAt.get(sessionId) ?? this.subscribedAt.get(ALL_SESSIONS) ?? lostAt;
        const from = new Date(Math.max(since, subscribed - CATCH_UP_MARGIN_MS)).toISOString();
        this.deliver(sessionId, await this.source.readSince(sessionId, from));
      });
    }
    await Promise.all(this.queues.values());
  }

  /** Drops every subscriber. */
  clear(): void {
    this.releaseWaiters(() => true);
    this.hub.clear();
    this.interest.clear();
    this.cursors.clear();
    this.subscribedAt.clear();
  }

  private wants(sessionId: string): boolean {
    return this.interest.has(sessionId) || this.interest.has(ALL_SESSIONS);
  }

  private deliver(sessionId: string, events: readonly BatonEvent[]): void {
    const cursor = this.cursors.get(sessionId) ?? -1;
    const fresh = events.filter((event) => event.seq > cursor);
    const last = fresh.at(-1);
    if (!last) return;
    this.cursors.set(sessionId, last.seq);
    this.hub.publish(fresh);
    this.releaseWaiters((waiter) => waiter.sessionId === sessionId && waiter.seq <= last.seq);
  }

  private releaseWaiters(done: (waiter: { sessionId: string; seq: number }) => boolean): void {
    const released = this.waiters.filter(done);
    if (released.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => !done(waiter));
    for (const waiter of released) waiter.resolve();
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
