import type { BatonEvent, EventDraft, ModelDeltaEvent } from '../core/events.js';
import type { Journal } from '../loop/journal.js';
import type { SessionLog } from '../loop/session-checkpoint.js';
import { SessionFold } from '../loop/session-checkpoint.js';
import type { AppendOptions, Fence, RunPatch, SessionRecord, StepBoundary } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import type { RunObserver } from '../telemetry/instrumentation.js';
import { inCurrentTrace } from '../telemetry/trace-context.js';
import type { LiveBus } from './live-bus.js';
import { checkpointPointer, readCheckpoint } from './read-checkpoint.js';
import { lifecyclePatches } from './run-patches.js';
import { readStepBoundary } from './step-boundary.js';

/**
 * The most events of its own a journal keeps for the end-of-run checkpoint; past it the
 * checkpoint reads the log back instead (a read that would hold as many events at once).
 */
const OWN_TAIL_LIMIT = 20_000;
/** Own commits kept before the first load: an attempt makes one (`run.started`) before it loads. */
const MAX_BEFORE_LOAD = 16;

/** What may make a commit conditional, or queue the next run with it (see `AppendOptions`). */
type AppendConditions = Pick<AppendOptions, 'expectedHeadSeq' | 'createRun'>;
const NO_CONDITIONS: Readonly<AppendConditions> = Object.freeze({});

/** The last seq a load covered: its last event, else its checkpoint's (-1: an empty log). */
function loadedSeq(log: SessionLog): number {
  return log.events.at(-1)?.seq ?? log.checkpoint?.seq ?? -1;
}

/** Options of {@link StoreJournal}. */
export interface StoreJournalOptions {
  store: Store;
  bus: LiveBus;
  sessionId: string;
  runId: string;
  /** The run's lease: every append is fenced with it. */
  fence: Fence;
  /** Called at every step boundary (each `drainInbox`) with what it read, e.g. to notice a cancel request. */
  onStepBoundary?: (boundary: StepBoundary) => void;
  /** Told about every commit (metrics, the attempt's span). */
  observer?: RunObserver | undefined;
  /** The session as the run's claim read it (`Claim.session`): the attempt's first session read. */
  claimedSession?: SessionRecord | undefined;
  /** The session's events after its checkpoint as the claim read them (`Claim.events`), if it did. */
  claimedEvents?: readonly BatonEvent[] | undefined;
  /** The run's end queues the session's next run for messages it never read (a message run's does). */
  nextRunReadsUnread?: boolean;
}

/**
 * The loop's journal over a store. Every append is fenced with the run's lease token and carries
 * the side-table updates of lifecycle events in the same transaction.
 */
export class StoreJournal implements Journal {
  readonly sessionId: string;
  readonly runId: string;
  readonly #options: StoreJournalOptions;
  /** Highest seq this journal has handed to the loop; the inbox is what others committed after it. */
  #seen = -1;
  /** Seq of the latest event this journal knows the log ended at (its own commits, its reads). */
  #knownHead = -1;
  /** Someone else committed between two of this journal's commits since the last drain. */
  #interleaved = false;
  /** Events staged for the next commit (see `Journal.stage`). */
  #staged: EventDraft[] = [];
  /** What `load` read: the next checkpoint folds what came after it into this. */
  #loaded: SessionLog | undefined;
  /** `load` found that the store keeps no sessions (a runner's `PlaneStore`): no checkpoint is written. */
  #sessionless = false;
  /**
   * The events committed after what `load` read, while they are all this journal's own commits
   * in order with no gap (undefined once another writer's event came between, or past
   * {@link OWN_TAIL_LIMIT}): the checkpoint folds these instead of reading them back.
   */
  #ownTail: BatonEvent[] | undefined;
  /** The session as this attempt first read it (see `session`). */
  #firstSession: Promise<SessionRecord | undefined> | undefined;
  /** Whether `load` ran before: only the first load may use the attempt's first session read. */
  #loadedOnce = false;
  /**
   * This journal's commits before its first `load` (the attempt's `run.started`): with the
   * claim's events, the log. Kept only with claimed events, and only a few: undefined once past
   * {@link MAX_BEFORE_LOAD} (a kind that never loads) or after the first load.
   */
  #beforeLoad: BatonEvent[] | undefined;

  constructor(options: StoreJournalOptions) {
    this.#options = options;
    this.sessionId = options.sessionId;
    this.runId = options.runId;
    if (options.claimedEvents) this.#beforeLoad = [];
  }

  /** The highest seq seen by `load` or `drainInbox`: messages after it were not given to the loop. */
  get seen(): number {
    return this.#seen;
  }

  /** Seq of the newest event this journal knows of: a commit conditional on it fails if anyone else appended since. */
  get knownHead(): number {
    return this.#knownHead;
  }

  /**
   * False when nothing but this journal's own commits can lie past what it has seen, up to
   * `headSeq`: no other commit came between its own, and the head is its own. A run's end then
   * need not look for messages it never read.
   */
  mayHaveUnread(headSeq: number): boolean {
    return this.#interleaved || headSeq > this.#knownHead;
  }

  /**
   * The session's newest checkpoint and the events after it, when it has a usable one (see
   * `readCheckpoint`); otherwise the whole log.
   */
  async load(): Promise<SessionLog> {
    const { store } = this.#options;
    // A later load (a task's turn resumed after its gates) looks again: a checkpoint may be newer.
    const first = !this.#loadedOnce;
    const session = first ? this.session() : store.getSession(this.sessionId);
    this.#loadedOnce = true;
    const pointer = await checkpointPointer(session);
    this.#sessionless = pointer === null;
    const checkpoint = await readCheckpoint(store, pointer, this.runId);
    const from = checkpoint === undefined ? 0 : checkpoint.seq + 1;
    const claimed = first ? this.#claimedLog(from) : undefined;
    const events = claimed ?? (await store.readEvents(this.sessionId, from === 0 ? {} : { from }));
    const log: SessionLog = { ...(checkpoint && { checkpoint }), events };
    this.#loaded = log;
    this.#ownTail = [];
    this.#seen = Math.max(this.#seen, events.at(-1)?.seq ?? checkpoint?.seq ?? -1);
    this.#knownHead = this.#seen;
    // Whatever came between commits made before the load (`run.started`) is in what it read.
    this.#interleaved = false;
    return log;
  }

  /**
   * The log from `from` as the claim read it, followed by this journal's own commits since (the
   * attempt's `run.started`), when together they run on from `from` without a gap: nobody
   * appended between the claim and those commits. Otherwise undefined (the log is read).
   */
  #claimedLog(from: number): BatonEvent[] | undefined {
    const claimed = this.#options.claimedEvents;
    const own = this.#beforeLoad;
    this.#beforeLoad = undefined;
    if (claimed === undefined || own === undefined) return undefined;
    const log = [...claimed, ...own];
    return log.every((event, index) => event.seq === from + index) ? log : undefined;
  }

  /**
   * The session's record as this attempt first read it: the run's kind (for the session's auth)
   * and the first `load` (for the checkpoint pointer) share one read at the attempt's start.
   */
  session(): Promise<SessionRecord | undefined> {
    const { claimedSession, store } = this.#options;
    this.#firstSession ??= claimedSession
      ? Promise.resolve(claimedSession)
      : store.getSession(this.sessionId);
    return this.#firstSession;
  }

  /**
   * Writes the session's transcript checkpoint as of the log's head — what `load` read, folded
   * with the events after it — when at least `minEvents` events came since the one it loaded.
   * A checkpoint is derived from committed events only, so whoever writes it writes the truth.
   * Returns the seq it covers, or undefined when none was written.
   */
  async checkpoint(minEvents: number): Promise<number | undefined> {
    const { store } = this.#options;
    const loaded = this.#loaded ?? { events: [] };
    const loadedTo = loadedSeq(loaded);
    if (this.#knownHead - (loaded.checkpoint?.seq ?? -1) < minEvents) return undefined;
    // A store that keeps no sessions (a runner's) has nowhere to point at one: no blob is sent.
    if (this.#sessionless) return undefined;
    // The journal's own commits since the load are the log after it (nobody else appended in
    // between): a checkpoint of that prefix needs no read. Others appending after the last of
    // them is fine too, the checkpoint then covers the log up to that event, which is true.
    const after = this.#ownTail ?? (await store.readEvents(this.sessionId, { from: loadedTo + 1 }));
    const fold = SessionFold.from(loaded.checkpoint, [...loaded.events, ...after]);
    const hash = await store.putBlob(new TextEncoder().encode(fold.serialise()));
    await store.updateSession(this.sessionId, { checkpoint: { seq: fold.seq, hash } });
    return fold.seq;
  }

  async append(draft: EventDraft): Promise<BatonEvent> {
    return (await this.appendMany([draft]))[0] as BatonEvent;
  }

  stage(draft: EventDraft): undefined {
    this.#staged.push(draft);
    this.#options.observer?.staged(draft);
  }

  async flush(): Promise<void> {
    if (this.#staged.length > 0) await this.appendMany([]);
  }

  /**
   * Appends several events in one transaction (one fence check, one commit), after the staged
   * ones (which it commits too; only `drafts`' events are returned); `extraRunPatch`
   * adds run fields the events do not carry (the usage of a failed run, its active time);
   * `conditions` make the commit conditional or queue the next run with it (see `AppendOptions`).
   */
  async appendMany(
    drafts: EventDraft[],
    extraRunPatch?: RunPatch,
    conditions: AppendConditions = NO_CONDITIONS,
  ): Promise<BatonEvent[]> {
    const staged = this.#staged;
    this.#staged = [];
    const all = staged.length === 0 ? drafts : [...staged, ...drafts];
    let events: BatonEvent[];
    try {
      const observer = this.#options.observer;
      // Bound rather than a closure: the bench's dev loader (tsx) names every closure it makes
      // with a `defineProperty`, which cost more than the rest of this per commit.
      events = await (observer
        ? observer.commit(all, this.#storeAppend.bind(this, all, extraRunPatch, conditions))
        : this.#storeAppend(all, extraRunPatch, conditions));
    } catch (error) {
      // Whatever failed (a conditional commit that lost a race, which its caller tries again; a
      // lost lease), the staged events stay staged, ahead of anything staged since: only a
      // commit that happened takes them.
      this.#staged = [...staged, ...this.#staged];
      throw error;
    }
    const first = events[0];
    if (first && first.seq !== this.#knownHead + 1) this.#interleaved = true;
    this.#keepOwn(events);
    this.#beforeLoad?.push(...events);
    if ((this.#beforeLoad?.length ?? 0) > MAX_BEFORE_LOAD) this.#beforeLoad = undefined;
    this.#knownHead = events.at(-1)?.seq ?? this.#knownHead;
    return staged.length === 0 ? events : events.slice(staged.length);
  }

  /** Commits `all` to the store, fenced, with the side-table patches of its lifecycle events. */
  #storeAppend(
    all: EventDraft[],
    extraRunPatch: RunPatch | undefined,
    conditions: AppendConditions,
  ): Promise<BatonEvent[]> {
    return this.#options.store.append(
      this.sessionId,
      all,
      this.#appendOptions(all, extraRunPatch, conditions),
    );
  }

  /**
   * The store options of one commit: the fence, the side-table patches of its lifecycle events
   * and `conditions`. Built field by field, not spread: a step's three commits have no patches
   * and no conditions, and spreading empty ones costs more than the rest of this.
   */
  #appendOptions(
    all: readonly EventDraft[],
    extraRunPatch: RunPatch | undefined,
    conditions: AppendConditions,
  ): AppendOptions {
    const options: AppendOptions = { runId: this.runId, fence: this.#options.fence };
    let runPatch = extraRunPatch;
    let sessionPatch: AppendOptions['sessionPatch'];
    let now: string | undefined;
    for (const draft of all) {
      // Only a run's lifecycle events (`run.*`) patch the side tables; only they need the time.
      if (!draft.type.startsWith('run.')) continue;
      now ??= new Date().toISOString();
      const patches = lifecyclePatches(draft, now);
      if (patches.runPatch) runPatch = { ...runPatch, ...patches.runPatch };
      if (patches.sessionPatch) sessionPatch = { ...sessionPatch, ...patches.sessionPatch };
    }
    if (runPatch) options.runPatch = runPatch;
    if (sessionPatch) options.sessionPatch = sessionPatch;
    if (conditions.expectedHeadSeq !== undefined) options.expectedHeadSeq = conditions.expectedHeadSeq;
    if (conditions.createRun) options.createRun = inCurrentTrace(conditions.createRun);
    return options;
  }

  /** Adds a commit's events to the own tail while they follow it without a gap. */
  #keepOwn(events: readonly BatonEvent[]): void {
    const tail = this.#ownTail;
    const first = events[0];
    if (tail === undefined || first === undefined || this.#loaded === undefined) return;
    const follows = first.seq === (tail.at(-1)?.seq ?? loadedSeq(this.#loaded)) + 1;
    if (follows && tail.length + events.length <= OWN_TAIL_LIMIT) tail.push(...events);
    else this.#ownTail = undefined;
  }

  leaveUnread(seq: number): boolean {
    if (this.#options.nextRunReadsUnread !== true) return false;
    this.#seen = Math.min(this.#seen, seq - 1);
    // The run's end looks for unread messages only when something may lie past what it read.
    this.#interleaved = true;
    return true;
  }

  async drainInbox(): Promise<readonly BatonEvent<'message.received'>[]> {
    // The head and the cancel flag come together (on Postgres from the latest append, no round
    // trip). The common case — the log holds only this journal's commits since the last look —
    // then needs no events read at all.
    const boundary = await readStepBoundary(this.#options.store, this.sessionId, this.runId);
    this.#options.onStepBoundary?.(boundary);
    const { head } = boundary;
    if (!this.#interleaved && (head?.seq ?? -1) <= this.#knownHead) return [];
    this.#interleaved = false;
    this.#knownHead = Math.max(this.#knownHead, head?.seq ?? -1);
    const messages = (await this.#options.store.readEvents(this.sessionId, {
      from: this.#seen + 1,
      types: ['message.received'],
    })) as BatonEvent<'message.received'>[];
    const last = messages.at(-1);
    if (last) this.#seen = Math.max(this.#seen, last.seq);
    return messages;
  }

  emitLive(event: ModelDeltaEvent): void {
    this.#options.bus.emit(event);
  }
}
