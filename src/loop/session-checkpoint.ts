import { completedTaskId } from '../core/child-tasks.js';
import { foldContext, setEntry } from '../core/context-key.js';
import type { BatonEvent } from '../core/events.js';
import type { GateStates } from '../core/gates.js';
import { GATE_EVENT_TYPES, openGates, readGates } from '../core/gates.js';
import type { TranscriptSnapshot } from './transcript.js';
import { Transcript } from './transcript.js';

/** Version of {@link SessionCheckpoint}'s shape; a checkpoint of another version is not used. */
export const CHECKPOINT_VERSION = 2;

/**
 * What a run needs of a session's log up to `seq`, folded: a run starts from it plus the events
 * after it instead of reading the whole log (docs/architecture.md, "Checkpoints"). It is an
 * optimisation only: the log stays the record, and a missing or unusable checkpoint means
 * reading the whole log, with the same result.
 */
export interface SessionCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  /** The last event folded in. */
  seq: number;
  /** The model-facing conversation after event `seq`. */
  transcript: TranscriptSnapshot;
  /** The session's context after event `seq`. */
  context: Record<string, unknown>;
  /** False when no `session.started` set the context: a turn's initial context goes under it. */
  contextFromLog: boolean;
  /** Approvals and questions still open. */
  gates: GateStates;
  /** The skills the session activated, by name, with the hash each had. */
  skills: Record<string, string>;
  /** Background children whose `<task-completed>` report is in the log (idle-yield waits for the others). */
  reportedChildren: string[];
  /** User messages that no model call had seen yet (input guardrails check them). */
  unanswered: string[];
  /** Their seqs, in the same order (absent in checkpoints written before it: then unknown). */
  unansweredSeqs?: number[];
  /**
   * Runs with events up to `seq` that may still run (not succeeded or cancelled): a run that
   * resumes must replay its own events, so it reads the whole log instead.
   */
  unfinishedRuns: string[];
}

/** A user message no model call had seen, by its seq. */
export interface UnansweredMessage {
  seq: number;
  text: string;
}

/** A checkpoint's unanswered messages with their seqs (-1 where it did not record them). */
export function unansweredOf(checkpoint: SessionCheckpoint | undefined): UnansweredMessage[] {
  const seqs = checkpoint?.unansweredSeqs;
  return (checkpoint?.unanswered ?? []).map((text, index) => ({ seq: seqs?.[index] ?? -1, text }));
}

/**
 * The messages a response left unanswered: those its request had not read (seq above its
 * `messagesThrough`), committed while the model answered; without the field, none.
 */
export function stillUnanswered(
  unanswered: readonly UnansweredMessage[],
  messagesThrough: number | undefined,
): UnansweredMessage[] {
  return messagesThrough === undefined ? [] : unanswered.filter((message) => message.seq > messagesThrough);
}

/** Event types that end a run for good (a failed run may be retried). */
const FINAL_RUN_EVENTS = new Set(['run.completed', 'run.cancelled']);
const GATE_TYPES = new Set<string>(GATE_EVENT_TYPES);

/** A session's state event by event, for writing a {@link SessionCheckpoint}. */
export class SessionFold {
  #seq: number;
  readonly #transcript: Transcript;
  #context: Record<string, unknown>;
  #contextFromLog: boolean;
  readonly #openGates: GateStates;
  readonly #skills: Record<string, string>;
  readonly #reportedChildren: Set<string>;
  /** Gate events since the fold began: folded into the open gates when a checkpoint is taken. */
  readonly #gateEvents: BatonEvent[] = [];
  /** The unanswered user messages with their seqs (-1: from the checkpoint, older than any request since). */
  #unanswered: UnansweredMessage[];
  readonly #unfinishedRuns: Set<string>;

  private constructor(checkpoint: SessionCheckpoint | undefined) {
    this.#seq = checkpoint?.seq ?? -1;
    // Built for no run: every run's calls are closed as its run ends, none is resumed.
    this.#transcript =
      checkpoint === undefined ? new Transcript('') : Transcript.restore(checkpoint.transcript, '');
    this.#context = { ...checkpoint?.context };
    this.#contextFromLog = checkpoint?.contextFromLog ?? false;
    this.#openGates = checkpoint?.gates ?? { approvals: [], questions: [] };
    this.#skills = { ...checkpoint?.skills };
    this.#reportedChildren = new Set(checkpoint?.reportedChildren);
    this.#unanswered = unansweredOf(checkpoint);
    this.#unfinishedRuns = new Set(checkpoint?.unfinishedRuns);
  }

  /** A fold of the events after `checkpoint` (or of a whole log, without one). */
  static from(checkpoint: SessionCheckpoint | undefined, events: readonly BatonEvent[]): SessionFold {
    const fold = new SessionFold(checkpoint);
    for (const event of events) fold.add(event);
    return fold;
  }

  /** The last event folded in (-1: none). */
  get seq(): number {
    return this.#seq;
  }

  /** Folds the next event of the log in; events must come in `seq` order without gaps. */
  add(event: BatonEvent): void {
    this.#seq = event.seq;
    this.#transcript.addEvent(event);
    if (event.type === 'session.started' && event.data.context !== undefined) {
      this.#context = foldContext([event]);
      this.#contextFromLog = true;
    } else if (event.type === 'context.updated') setEntry(this.#context, event.data.key, event.data.value);
    else if (event.type === 'message.received' && event.data.priority !== 'background')
      this.#unanswered.push({ seq: event.seq, text: event.data.text });
    else if (event.type === 'message.received') {
      const taskId = completedTaskId(event.data.text);
      if (taskId !== undefined) this.#reportedChildren.add(taskId);
    } else if (event.type === 'message.completed')
      this.#unanswered = stillUnanswered(this.#unanswered, event.data.messagesThrough);
    else if (event.type === 'skill.activated' && !Object.hasOwn(this.#skills, event.data.name))
      this.#skills[event.data.name] = event.data.hash;
    if (GATE_TYPES.has(event.type)) this.#gateEvents.push(event);
    if (FINAL_RUN_EVENTS.has(event.type)) this.#unfinishedRuns.delete(event.runId);
    else this.#unfinishedRuns.add(event.runId);
  }

  /** The checkpoint of the events folded so far, as JSON text. */
  serialise(): string {
    const checkpoint: SessionCheckpoint = {
      version: CHECKPOINT_VERSION,
      seq: this.#seq,
      transcript: this.#transcript.snapshot(),
      context: this.#context,
      contextFromLog: this.#contextFromLog,
      gates: openGates(readGates(this.#gateEvents, structuredClone(this.#openGates))),
      skills: this.#skills,
      reportedChildren: [...this.#reportedChildren],
      unanswered: this.#unanswered.map((message) => message.text),
      unansweredSeqs: this.#unanswered.map((message) => message.seq),
      unfinishedRuns: [...this.#unfinishedRuns],
    };
    return JSON.stringify(checkpoint);
  }
}

/** The state a turn starts from: the whole log, or a checkpoint and the events after it. */
export interface SessionLog {
  /** The checkpoint `events` follow, when the journal read from one. */
  checkpoint?: SessionCheckpoint;
  /** The events after the checkpoint (all of them, without one), oldest first. */
  events: readonly BatonEvent[];
}
