import { LeaseLostError, NotFoundError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import type { AppendOptions, StepBoundary } from '../run-store.js';
import { sealDrafts } from '../seal-drafts.js';
import { tryAppend } from './append-statement.js';
import type { ConnectionGate } from './connection.js';
import { appendEvents, readHead } from './event-queries.js';

/** Heads (and runs' cancel flags) remembered; the oldest are forgotten beyond this (a miss costs one read). */
const MAX_CACHED = 10_000;
/** Optimistic attempts before falling back to the locked path, which always makes progress. */
const OPTIMISTIC_ATTEMPTS = 2;

/**
 * Appends with as few round trips as possible. This process's appends to one session go one
 * at a time, each from the head the previous one left (cached), as one optimistic statement;
 * only another process appending to the same session (rare: one run per session is active)
 * makes it miss, re-read the head and retry, then take the locked, multi-statement path.
 * Each optimistic append also brings back its fenced run's cancel flag: with the cached head,
 * that answers a step boundary without a round trip.
 */
export class SessionAppender {
  private readonly heads = new Map<string, { seq: number; hash: string } | undefined>();
  private readonly cancelFlags = new Map<string, boolean>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly gate: ConnectionGate) {}

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
    // A conditional append checks its conditions under the row locks of the locked path.
    const conditional =
      options.expectedHeadSeq !== undefined ||
      options.requireRunStatus !== undefined ||
      options.createRun !== undefined;
    if (drafts.length > 0 && !conditional) {
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
        const head = this.heads.has(sessionId)
          ? this.heads.get(sessionId)
          : await this.gate.use((client) => readHead(client, sessionId));
        const now = new Date().toISOString();
        const events = sealDrafts(head, drafts, { sessionId, runId: options.runId, ts: now });
        const outcome = await this.gate.use((client) =>
          tryAppend(client, sessionId, events, head, options, now),
        );
        if (typeof outcome === 'object') {
          if (options.fence && outcome.cancelRequested !== undefined)
            remember(this.cancelFlags, options.fence.runId, outcome.cancelRequested);
          return this.remember(sessionId, events);
        }
        const miss = outcome;
        if (miss === 'lease_lost') throw new LeaseLostError(options.fence?.runId ?? options.runId);
        if (miss === 'run_missing') throw new NotFoundError('run', options.runId);
        this.heads.delete(sessionId);
      }
    }
    // The locked path does not read the run's flag: the next boundary asks the database.
    if (options.fence) this.cancelFlags.delete(options.fence.runId);
    try {
      const events = await this.gate.transaction((client) =>
        appendEvents(client, sessionId, drafts, options),
      );
      return this.remember(sessionId, events);
    } catch (error) {
      this.heads.delete(sessionId);
      throw error;
    }
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

/** Sets `key` as the newest entry of a bounded map, forgetting the oldest beyond `MAX_CACHED`. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}
