import type {
  JSONValue,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultPart,
} from '@ai-sdk/provider';
import type { HistoryFilter } from '../core/agent.js';
import type { ErrorBody } from '../core/errors.js';
import type { BatonEvent, EventDataByType } from '../core/events.js';

type AssistantData = EventDataByType['message.completed'];
type ToolResultData = EventDataByType['tool.result'];

interface PendingCall {
  name: string;
  runId: string;
}

/**
 * A transcript's state as JSON, for a checkpoint (see `SessionCheckpoint`): the conversation
 * after the system message, the calls still waiting for results and the messages held back.
 * Only a transcript built for no run in particular is snapshotted, so nothing run-specific is in it.
 */
export interface TranscriptSnapshot {
  messages: LanguageModelV3Message[];
  pending: { toolCallId: string; name: string; runId: string }[];
  deferredUsers: LanguageModelV3Message[];
  heldBackground: LanguageModelV3Message[];
  /** The last message is the tool message the next results join. */
  toolMessageOpen: boolean;
  /**
   * The seqs of the user messages a later response may have overtaken (see `takeLateUsers`):
   * `tail[i]` of the i-th of the last `tail.length` messages, `deferred[i]` of `deferredUsers[i]`
   * (-1: unknown). Absent when there are none, and in checkpoints written before it.
   */
  userSeqs?: { tail: number[]; deferred: number[] };
}

/** The result the model sees for a call whose run ended (or moved on) before it finished. */
const INTERRUPTED: ErrorBody = {
  code: 'interrupted',
  message: 'the run ended before this tool call finished',
};

function resultPart(
  data: Pick<ToolResultData, 'toolCallId' | 'name' | 'ok' | 'output' | 'error'>,
  maxChars: number | undefined,
): LanguageModelV3ToolResultPart {
  return {
    type: 'tool-result',
    toolCallId: data.toolCallId,
    toolName: data.name,
    output:
      data.ok || data.error === undefined
        ? truncatedOutput(data.output as JSONValue, maxChars)
        : { type: 'error-json', value: { code: data.error.code, message: data.error.message } },
  };
}

/** A result as the model sees it: its JSON cut to `maxChars` with a note saying so, when longer. */
function truncatedOutput(
  value: JSONValue,
  maxChars: number | undefined,
): LanguageModelV3ToolResultPart['output'] {
  if (maxChars === undefined) return { type: 'json', value };
  const text = JSON.stringify(value ?? null);
  if (text.length <= maxChars) return { type: 'json', value };
  return {
    type: 'text',
    value: `${text.slice(0, maxChars)}\n[truncated: the result is ${text.length} characters as JSON; only the first ${maxChars} are shown]`,
  };
}

/** The first message of a compacted transcript: the summary of what it replaced. */
export function summaryMessage(summary: string): LanguageModelV3Message {
  return {
    role: 'user',
    content: [{ type: 'text', text: `Summary of the conversation so far:\n${summary}` }],
  };
}

/** Options of a {@link Transcript}. */
export interface TranscriptOptions {
  /** Tool results longer than this (as JSON) are shown truncated (`maxToolResultChars`). */
  maxToolResultChars?: number | undefined;
}

/**
 * The conversation as the model sees it, maintained incrementally: events are added one at a time
 * and the prompt array is extended in place, so a step costs the same at step 200 as at step 1.
 *
 * Invariants: `prompt[0]` is the system message of the active agent; every assistant tool call is
 * followed by its results before any later user message (user messages committed while results
 * are pending wait in `deferredUsers`); a user message committed while the model was answering
 * follows that response (`takeLateUsers`); a call whose run ended without a result gets a
 * synthetic `interrupted` result so providers always see complete pairs.
 */
export class Transcript {
  readonly prompt: LanguageModelV3Prompt = [{ role: 'system', content: '' }];
  private readonly pending = new Map<string, PendingCall>();
  private deferredUsers: LanguageModelV3Message[] = [];
  private readonly seenUserSeqs = new Set<number>();
  /** The seq of each user message shown from an event: one that overtook a response moves after it. */
  private readonly userSeqs = new WeakMap<LanguageModelV3Message, number>();
  private openToolMessage: Extract<LanguageModelV3Message, { role: 'tool' }> | undefined;
  /** Background messages not yet shown to the model: they wait for the turn's end. */
  private heldBackground: LanguageModelV3Message[] = [];
  /** The history before the last handoff as its transfer's filter left it, and where that history ends. */
  private handoffView: { upTo: number; history: LanguageModelV3Message[] } | undefined;
  /** `prompt.length` when this run's last `handoff.occurred` was committed. */
  private handoffMarkAt = 0;
  /** The latest response's `messagesThrough`: user messages above it came after its request. */
  private responseThrough: number | undefined;

  /** Calls of this run stay pending when its log ends mid-step: the loop resumes them. */
  constructor(
    private readonly currentRunId: string,
    private readonly options: TranscriptOptions = {},
  ) {}

  /** Builds the transcript of a whole session log; calls of `currentRunId` may stay pending. */
  static fromEvents(
    events: readonly BatonEvent[],
    currentRunId: string,
    options: TranscriptOptions = {},
  ): Transcript {
    const transcript = new Transcript(currentRunId, options);
    for (const event of events) transcript.addEvent(event);
    transcript.closeCalls((call) => call.runId !== currentRunId);
    return transcript;
  }

  /**
   * Builds the transcript from a checkpoint and the events after it: the same transcript as
   * {@link Transcript.fromEvents} of the whole log, as long as `currentRunId` has no event the
   * checkpoint covers (the caller checks; see `SessionCheckpoint.unfinishedRuns`).
   */
  static fromSnapshot(
    snapshot: TranscriptSnapshot,
    events: readonly BatonEvent[],
    currentRunId: string,
    options: TranscriptOptions = {},
  ): Transcript {
    const transcript = Transcript.restore(snapshot, currentRunId, options);
    for (const event of events) transcript.addEvent(event);
    transcript.closeCalls((call) => call.runId !== currentRunId);
    return transcript;
  }

  /**
   * The transcript a snapshot holds, its pending calls still pending. A snapshot's results are
   * whole (it is built without a limit): `maxToolResultChars` is applied to them here.
   */
  static restore(
    snapshot: TranscriptSnapshot,
    currentRunId: string,
    options: TranscriptOptions = {},
  ): Transcript {
    const transcript = new Transcript(currentRunId, options);
    const limit = options.maxToolResultChars;
    transcript.prompt.push(
      ...(limit === undefined
        ? snapshot.messages
        : snapshot.messages.map((message) => limited(message, limit))),
    );
    for (const call of snapshot.pending)
      transcript.pending.set(call.toolCallId, { name: call.name, runId: call.runId });
    transcript.deferredUsers = [...snapshot.deferredUsers];
    transcript.heldBackground = [...snapshot.heldBackground];
    const { tail = [], deferred = [] } = snapshot.userSeqs ?? {};
    const tailStart = transcript.prompt.length - tail.length;
    for (const [index, seq] of tail.entries())
      transcript.noteUserSeq(transcript.prompt[tailStart + index], seq);
    for (const [index, seq] of deferred.entries())
      transcript.noteUserSeq(transcript.deferredUsers[index], seq);
    const last = transcript.prompt.at(-1);
    // The open tool message is extended in place: a copy, so the snapshot's stays as it was.
    if (snapshot.toolMessageOpen && last?.role === 'tool') {
      transcript.openToolMessage = { ...last, content: [...last.content] };
      transcript.prompt[transcript.prompt.length - 1] = transcript.openToolMessage;
    }
    return transcript;
  }

  /** This transcript's state, sharing its messages: serialise it before adding more events. */
  snapshot(): TranscriptSnapshot {
    const snapshot: TranscriptSnapshot = {
      messages: this.prompt.slice(1),
      pending: [...this.pending].map(([toolCallId, call]) => ({ toolCallId, ...call })),
      deferredUsers: this.deferredUsers,
      heldBackground: this.heldBackground,
      toolMessageOpen: this.openToolMessage !== undefined && this.openToolMessage === this.prompt.at(-1),
    };
    const tail: number[] = [];
    for (let index = this.prompt.length - 1; index > 0; index -= 1) {
      const seq = this.userSeqs.get(this.prompt[index] as LanguageModelV3Message);
      if (seq === undefined) break;
      tail.unshift(seq);
    }
    const deferred = this.deferredUsers.map((message) => this.userSeqs.get(message) ?? -1);
    if (tail.length > 0 || deferred.some((seq) => seq >= 0)) snapshot.userSeqs = { tail, deferred };
    return snapshot;
  }

  private noteUserSeq(message: LanguageModelV3Message | undefined, seq: number): void {
    if (message !== undefined && seq >= 0) this.userSeqs.set(message, seq);
  }

  /** Replaces the system message (a handoff changes the active agent's instructions). */
  setInstructions(instructions: string): void {
    this.prompt[0] = { role: 'system', content: instructions };
  }

  /** Where the current run's last handoff happened in `prompt` (0 when it had none). */
  get handoffMark(): number {
    return this.handoffMarkAt;
  }

  /**
   * From now on the model sees `filter(history before upTo)` in place of that history (a
   * transfer's `inputFilter`); `undefined` shows the whole history again.
   */
  filterHistory(filter: HistoryFilter | undefined, upTo: number = this.prompt.length): void {
    this.handoffView =
      filter === undefined ? undefined : { upTo, history: filter(this.prompt.slice(1, upTo)) };
  }

  /** The prompt as the active agent's model sees it: the full one, or the handoff-filtered view. */
  get modelPrompt(): LanguageModelV3Prompt {
    const view = this.handoffView;
    if (view === undefined) return this.prompt;
    return [this.prompt[0] as LanguageModelV3Message, ...view.history, ...this.prompt.slice(view.upTo)];
  }

  /** Shows the held background messages to the model; returns whether there were any. */
  releaseBackground(): boolean {
    const held = this.heldBackground;
    if (held.length === 0) return false;
    this.heldBackground = [];
    for (const message of held) this.addUser(message);
    return true;
  }

  /** Number of tool calls still waiting for results. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Adds one persisted event; types that do not shape the conversation are ignored. */
  addEvent(event: BatonEvent): void {
    switch (event.type) {
      case 'message.received':
        this.addUserMessage(event);
        break;
      case 'message.completed': {
        const late = this.takeLateUsers(event.data.messagesThrough);
        this.addAssistantMessage(event.data, event.runId);
        for (const message of late) this.addUser(message);
        // Live, the turn shows held background messages once the model answered (Turn.boundary),
        // unless a user's message overtook the answer: then at the answer after it.
        if (event.data.toolCalls.length === 0 && late.length === 0) this.releaseBackground();
        break;
      }
      case 'handoff.occurred':
        if (event.runId === this.currentRunId) this.handoffMarkAt = this.lengthBeforeLate();
        break;
      case 'tool.result':
        this.addToolResult(event.data);
        break;
      case 'transcript.compacted': {
        // The kept messages were counted without a message that came during the summary.
        const late = this.takeLateUsers(event.data.messagesThrough);
        this.compact(event.data.summary, event.data.keptMessages);
        for (const message of late) this.addUser(message);
        break;
      }
      case 'run.started':
        this.closeCalls((call) => call.runId !== event.runId);
        // A new turn reads every message committed before it, whatever its priority.
        this.releaseBackground();
        break;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        // A failed attempt of the current run is being retried: its calls are resumed, not closed.
        if (event.runId !== this.currentRunId) this.closeCalls((call) => call.runId === event.runId);
        break;
      default:
        break;
    }
  }

  /**
   * Adds a user message once (by `seq`); returns whether it is new and shown now. A background
   * message is held until `releaseBackground` (the turn's end) and returns false.
   */
  addUserMessage(event: BatonEvent<'message.received'>): boolean {
    if (this.seenUserSeqs.has(event.seq)) return false;
    this.seenUserSeqs.add(event.seq);
    const message: LanguageModelV3Message = {
      role: 'user',
      content: [{ type: 'text', text: event.data.text }],
    };
    this.userSeqs.set(message, event.seq);
    if (event.data.priority === 'background') {
      this.heldBackground.push(message);
      return false;
    }
    this.addUser(message);
    return true;
  }

  /**
   * Takes out the user messages shown after `through` (seq above it): committed while the model
   * was answering, they lie in the log before its response but came after its request, so they
   * follow the response, as they did in the run that read them (docs/events.md). They are the
   * prompt's last messages, or still deferred behind pending results.
   */
  private takeLateUsers(through: number | undefined): LanguageModelV3Message[] {
    if (through === undefined) return [];
    const isLate = (message: LanguageModelV3Message) => this.cameAfter(message, through);
    const cut = this.lengthBeforeUsersAfter(through);
    const late = this.prompt.splice(cut);
    if (late.length > 0) this.handoffMarkAt = Math.min(this.handoffMarkAt, cut);
    if (this.deferredUsers.some(isLate)) {
      late.push(...this.deferredUsers.filter(isLate));
      this.deferredUsers = this.deferredUsers.filter((message) => !isLate(message));
    }
    return late;
  }

  /**
   * `prompt.length` without the trailing user messages that came after the latest response's
   * request: where a handoff that response asked for cuts the history its filter sees. An
   * attempt that made the call has none there yet (it reads them at the next boundary); one that
   * resumed the step has them after the results, and its cut is the same as every later one's.
   */
  lengthBeforeLate(): number {
    const through = this.responseThrough;
    return through === undefined ? this.prompt.length : this.lengthBeforeUsersAfter(through);
  }

  /** `prompt.length` without its trailing user messages shown from events after seq `through`. */
  private lengthBeforeUsersAfter(through: number): number {
    let length = this.prompt.length;
    while (length > 1 && this.cameAfter(this.prompt[length - 1] as LanguageModelV3Message, through))
      length -= 1;
    return length;
  }

  /** Whether `message` is a user message shown from an event after seq `through`. */
  private cameAfter(message: LanguageModelV3Message, through: number): boolean {
    return (this.userSeqs.get(message) ?? -1) > through;
  }

  private addUser(message: LanguageModelV3Message): void {
    if (this.pending.size > 0) this.deferredUsers.push(message);
    else this.push(message);
  }

  /** Adds the assistant's response; its tool calls become pending. */
  addAssistantMessage(data: AssistantData, runId: string): void {
    this.responseThrough = data.messagesThrough;
    // A new response while calls are pending means an earlier attempt left them unanswered.
    this.closeCalls(() => true);
    const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
    if (data.text !== '' || data.toolCalls.length === 0) content.push({ type: 'text', text: data.text });
    for (const call of data.toolCalls) {
      content.push({
        type: 'tool-call',
        toolCallId: call.toolCallId,
        toolName: call.name,
        input: call.input,
      });
      this.pending.set(call.toolCallId, { name: call.name, runId });
    }
    this.push({ role: 'assistant', content });
  }

  /** Adds a tool result to the tool message that follows its call; unknown ids are ignored. */
  addToolResult(data: Pick<ToolResultData, 'toolCallId' | 'name' | 'ok' | 'output' | 'error'>): void {
    if (!this.pending.delete(data.toolCallId)) return;
    if (this.openToolMessage === undefined) {
      this.openToolMessage = { role: 'tool', content: [] };
      this.prompt.push(this.openToolMessage);
    }
    this.openToolMessage.content.push(resultPart(data, this.options.maxToolResultChars));
    if (this.pending.size === 0) this.flushDeferredUsers();
  }

  /**
   * Replaces every message but the last `keptMessages` with one summary message. The cut never
   * separates tool results from their call: it moves back to the assistant message before them.
   * The current run's handoff mark moves with the messages (or to the summary, when summarised).
   */
  compact(summary: string, keptMessages: number): void {
    let cut = Math.max(1, this.prompt.length - keptMessages);
    while (cut > 1 && this.prompt[cut]?.role === 'tool') cut -= 1;
    const kept = this.prompt.splice(cut);
    this.prompt.splice(1, this.prompt.length - 1, summaryMessage(summary), ...kept);
    if (this.handoffMarkAt > 0) this.handoffMarkAt = Math.max(2, this.handoffMarkAt - cut + 2);
  }

  /** The view a handoff's filter made, if one is active (compaction waits while it is). */
  get filtered(): boolean {
    return this.handoffView !== undefined;
  }

  private closeCalls(matches: (call: PendingCall) => boolean): void {
    for (const [toolCallId, call] of this.pending) {
      if (matches(call)) {
        this.addToolResult({ toolCallId, name: call.name, ok: false, output: null, error: INTERRUPTED });
      }
    }
  }

  private flushDeferredUsers(): void {
    const users = this.deferredUsers;
    this.deferredUsers = [];
    for (const message of users) this.push(message);
  }

  private push(message: LanguageModelV3Message): void {
    this.openToolMessage = undefined;
    this.prompt.push(message);
  }
}

/** A snapshot's message with `maxChars` applied to its tool results (a copy, when one is cut). */
function limited(message: LanguageModelV3Message, maxChars: number): LanguageModelV3Message {
  if (message.role !== 'tool') return message;
  return {
    ...message,
    content: message.content.map((part) =>
      part.type === 'tool-result' && part.output.type === 'json'
        ? { ...part, output: truncatedOutput(part.output.value, maxChars) }
        : part,
    ),
  };
}
