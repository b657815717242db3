import { LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import { headMoved, runStatusChanged } from '../append-conflict.js';
import { rememberBounded } from '../bounded-map.js';
import type { AppendOptions, StepBoundary } from '../run-store.js';
import { sealDrafts } from '../seal-drafts.js';
import { tryAppend } from './append-statement.js';
import type { ConnectionGate } from './connection.js';
import type { EndedLeases } from './ended-leases.js';
import { appendEvents, readHead } from './event-queries.js';

/** Heads (and runs' cancel flags) remembered; the oldest are forgotten beyond this (a miss costs one read). */
const MAX_CACHED = 10_000;
/** Optimistic attempts before falling back to the locked path, which always makes progress. */
const OPTIMISTIC_ATTEMPTS = 2;

/**
 * Appends with as few round trips as possible. This process's appends to one session go one
 * at a time, each from the head the previous one left (cached), as one optimistic statement
 * (a conditional one too, unless it creates a run); only another process appending to the
 * same session (rare: one run per session is active) makes it miss and retry from the head the
 * statement saw, then take the locked, multi-statement path.
 * Each optimistic append also brings back its fenced run's cancel flag: with the cached head,
 * that answers a step boundary without a round trip.
 */
export class SessionAppender {
  private readonly heads = new Map<string, { seq: number; hash: string } | undefined>();
  private readonly cancelFlags = new Map<string, boolean>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly gate: ConnectionGate,
    private readonly leases: EndedLeases,
  ) {}

  /** Appends in this session's local queue; resolves with the committed events. */
  append(sessionId: string, drafts: readonly EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    // The previous append's failure is its own caller's; this one runs after it either way.
    const next = previous.catch(() => undefined).then(() => this.appendNow(sessionId, drafts, options));
    this.queues.set(sessionId, next);
    const forget = () => {
      if (this.queues.get(sessionId) === next) this.queues.delete(sessionId);
    };
    next.then(forget, forget);
    return next;
  }

  private async appendNow(
    sessionId: string,
    drafts: readonly EventDraft[],
    options: AppendOptions,
  ): Promise<BatonEvent[]> {
    // Only a commit that also creates a run needs the locked path's several statements.
    if (drafts.length > 0 && options.createRun === undefined) {
      const events = await this.appendOptimistically(sessionId, drafts, options);
      if (events) return events;
    }
    // The locked path does not read the run's flag: the next boundary asks the database.
    if (options.fence) this.cancelFlags.delete(options.fence.runId);
    try {
      const events = await this.gate.transaction((client) =>
        appendEvents(client, sessionId, drafts, options),
      );
      this.leases.noteCommitted(options);
      return this.remember(sessionId, events);
    } catch (error) {
      this.heads.delete(sessionId);
      throw error;
    }
  }

  /**
   * The append as one statement from the head this process knows (read when it knows none);
   * undefined when the locked path must decide (the head kept moving, or a conditional
   * append's expected head may or may not be the real one).
   */
  private async appendOptimistically(
    sessionId: string,
    drafts: readonly EventDraft[],
    options: AppendOptions,
  ): Promise<BatonEvent[] | undefined> {
    const expected = options.expectedHeadSeq;
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
      const head = this.heads.has(sessionId)
        ? this.heads.get(sessionId)
        : await this.gate.use((client) => readHead(client, sessionId));
      // Sealing needs the expected head's hash; only the locked path knows it for another head.
      if (expected !== undefined && (head?.seq ?? null) !== expected) return undefined;
      const now = new Date().toISOString();
      const events = sealDrafts(head, drafts, { sessionId, runId: options.runId, ts: now });
      const outcome = await this.gate.use((client) =>
        tryAppend(client, sessionId, events, head, options, now),
      );
      switch (outcome.reason) {
        case 'appended':
          if (options.fence && outcome.cancelRequested !== undefined)
            remember(this.cancelFlags, options.fence.runId, outcome.cancelRequested);
          this.leases.noteCommitted(options);
          return this.remember(sessionId, events);
        case 'run_status':
          throw runStatusChanged(options.runId, outcome.status);
        case 'lease_lost':
          throw new LeaseLostError(options.fence?.runId ?? options.runId);
        case 'run_missing':
          throw new NotFoundError('run', options.runId);
        case 'session_missing':
          this.heads.delete(sessionId);
          throw new NotFoundError('session', sessionId);
        case 'head_moved': {
          const seen = outcome.seen?.seq ?? null;
          // The snapshot's head equal to the one tried means the head moved during the
          // statement: what it is now is unknown, so it is read again.
          if (seen === (head?.seq ?? null)) this.heads.delete(sessionId);
          else remember(this.heads, sessionId, outcome.seen);
          if (expected === undefined) continue;
          if (seen !== expected) throw headMoved(sessionId, expected, seen);
          return undefined;
        }
      }
    }
    return undefined;
  }

  /**
   * Takes a head another statement saw (a session's start, a claim) unless this process
   * already knows a later one: the next append then needs no read. A stale one only costs
   * that append a retry.
   */
  offerHead(sessionId: string, head: { seq: number; hash: string } | undefined): void {
    if (head === undefined) return;
    const known = this.heads.get(sessionId);
    if (known === undefined || known.seq < head.seq)
      remember(this.heads, sessionId, { seq: head.seq, hash: head.hash });
  }

  /**
   * The step boundary as of this process's latest append to the session and the run's latest
   * optimistic append, or undefined when either is unknown (then the caller reads it).
   */
  knownBoundary(sessionId: string, runId: string): StepBoundary | undefined {
    const cancelRequested = this.cancelFlags.get(runId);
    if (cancelRequested === undefined || !this.heads.has(sessionId) || this.queues.has(sessionId))
      return undefined;
    return { head: this.heads.get(sessionId), cancelRequested };
  }

  /** Forgets a run's cancel flag, e.g. after this process changed the run. */
  forgetRun(runId: string): void {
    this.cancelFlags.delete(runId);
  }

  private remember(sessionId: string, events: BatonEvent[]): BatonEvent[] {
    const last = events.at(-1);
    if (last) remember(this.heads, sessionId, { seq: last.seq, hash: last.hash });
    return events;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  rememberBounded(cache, key, value, MAX_CACHED);
}
