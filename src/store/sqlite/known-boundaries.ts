import { rememberBounded } from '../bounded-map.js';
import type { StepBoundary } from '../run-store.js';

/** Sessions' heads (and runs' cancel flags) remembered; the oldest are forgotten beyond this (a miss costs one read). */
const MAX_KNOWN = 10_000;

/** A chain head: the newest event's seq and hash. */
export interface Head {
  seq: number;
  hash: string;
}

/** What an append saw, inside its transaction, for the next step boundary. */
export interface KnownAfterAppend {
  /** The session's head after the append. */
  head: Head | undefined;
  /** The run's cancel flag as of the append (undefined: no such run, or the append patched it). */
  cancelRequested: boolean | undefined;
}

/**
 * What this connection's own appends left: each session's head and each run's cancel flag as
 * its latest append saw them, inside that append's transaction, so that a step boundary right
 * after an append is answered without a read. Only what committed is remembered; a failed
 * append forgets what it touched.
 */
export class KnownBoundaries {
  readonly #heads = new Map<string, Head | undefined>();
  readonly #cancelFlags = new Map<string, boolean>();

  /** The step boundary as of this connection's latest append to the session by the run, if it knows both. */
  boundary(sessionId: string, runId: string): StepBoundary | undefined {
    const cancelRequested = this.#cancelFlags.get(runId);
    if (cancelRequested === undefined || !this.#heads.has(sessionId)) return undefined;
    const head = this.#heads.get(sessionId);
    // A copy: a caller that changed what it was given must not change what the next one reads.
    return { head: head && { seq: head.seq, hash: head.hash }, cancelRequested };
  }

  /** Runs an append's transaction and remembers what it committed; a failed one forgets what it touched. */
  committing<T extends KnownAfterAppend>(sessionId: string, runId: string, commit: () => T): T {
    let appended: T;
    try {
      appended = commit();
    } catch (error) {
      this.forget(sessionId, runId);
      throw error;
    }
    this.committed(sessionId, appended.head, runId, appended.cancelRequested);
    return appended;
  }

  /**
   * After a commit: the session's head it left and, when the commit read it after its last
   * write to the run, the run's cancel flag (undefined: not known).
   */
  committed(
    sessionId: string,
    head: Head | undefined,
    runId: string,
    cancelRequested: boolean | undefined,
  ): void {
    rememberBounded(this.#heads, sessionId, head, MAX_KNOWN);
    if (cancelRequested === undefined) this.#cancelFlags.delete(runId);
    else rememberBounded(this.#cancelFlags, runId, cancelRequested, MAX_KNOWN);
  }

  /** Forgets what a failed append touched, or a run this connection changed otherwise. */
  forget(sessionId: string | undefined, runId: string): void {
    if (sessionId !== undefined) this.#heads.delete(sessionId);
    this.#cancelFlags.delete(runId);
  }
}
