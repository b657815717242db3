import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { escapeLiteral } from 'pg';

/** What a committed append tells listeners: small enough for any NOTIFY payload. */
export interface AppendNotice {
  sessionId: string;
  fromSeq: number;
  toSeq: number;
}

/** `<fromSeq> <toSeq> <sessionId>`: the id goes last, so it may contain anything. */
export function encodeNotice(notice: AppendNotice): string {
  return `${notice.fromSeq} ${notice.toSeq} ${notice.sessionId}`;
}

const NOTICE = /^(\d{1,9}) (\d{1,9}) (.+)$/s;

/** The notice in a NOTIFY payload, or undefined for a payload that is not one. */
export function decodeNotice(payload: string | undefined): AppendNotice | undefined {
  const match = NOTICE.exec(payload ?? '');
  if (!match?.[3]) return undefined;
  return { fromSeq: Number(match[1]), toSeq: Number(match[2]), sessionId: match[3] };
}

/**
 * The shortest time between two NOTIFY sends of one store. Under a steady stream of commits
 * (one run: two commits a step, a step every millisecond or two) notices then share a send
 * instead of costing a statement each, for at most this much more latency to other processes'
 * readers; the first notice after a quiet spell goes at once. At 2 ms a one-run loop still
 * sent a NOTIFY for every other commit, a third of its statements; at 5 ms it is one per
 * three to five steps, and 5 ms is far below what a reader of a stream notices.
 */
const MIN_SEND_INTERVAL_MS = 5;

/** Sends one SQL text (several statements) in one round trip. */
export type SendSql = (sql: string) => Promise<unknown>;

/**
 * Tells other processes about committed appends (NOTIFY) without the appender waiting for it.
 * At most one NOTIFY transaction is in flight, and sends are at least `MIN_SEND_INTERVAL_MS`
 * apart; notices that arrive meanwhile are merged, per session, into one range and all go out
 * in the next transaction. So a busy store sends far
 * fewer NOTIFY statements than it commits appends, and an append's caller never waits a round
 * trip for it. The NOTIFY is its own transaction with `synchronous_commit` off: inside the
 * append's transaction it would serialise every appender in the database, since Postgres holds
 * a global lock from queuing a notification until the commit is flushed. A notification lost
 * to a crash or a failed send only delays listeners, which catch up on the next one (cursors
 * make ranges safe to merge or repeat).
 */
export class AppendNotifier {
  private pending = new Map<string, AppendNotice>();
  private inFlight: Promise<void> | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly channel: string,
    private readonly send: SendSql,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues a notice; it is sent with whatever else is queued once no send is in flight. */
  notify(notice: AppendNotice): void {
    const queued = this.pending.get(notice.sessionId);
    this.pending.set(
      notice.sessionId,
      queued
        ? {
            sessionId: notice.sessionId,
            fromSeq: Math.min(queued.fromSeq, notice.fromSeq),
            toSeq: Math.max(queued.toSeq, notice.toSeq),
          }
        : notice,
    );
    this.inFlight ??= this.drain();
  }

  /** Resolves once every queued notice has been sent (or its send failed and was reported). */
  async flushed(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const wait = this.lastSentAt + MIN_SEND_INTERVAL_MS - performance.now();
      // Even without a wait, notices queued in the same tick as this one share its send.
      await (wait > 0 ? delay(wait) : Promise.resolve());
      const notices = [...this.pending.values()];
      this.pending = new Map();
      this.lastSentAt = performance.now();
      await this.send(notifySql(this.channel, notices)).catch(this.onError);
    }
    this.inFlight = undefined;
  }
}

/** One transaction, not flushed on commit, that sends every notice. */
export function notifySql(channel: string, notices: readonly AppendNotice[]): string {
  const calls = notices.map(
    (notice) => `pg_notify(${escapeLiteral(channel)}, ${escapeLiteral(encodeNotice(notice))})`,
  );
  return `BEGIN; SET LOCAL synchronous_commit TO off; SELECT ${calls.join(', ')}; COMMIT`;
}
