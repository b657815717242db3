import type { BatonEvent, EventDataByType, Usage } from '../core/events.js';
import { isHandoffResult } from './handoffs.js';
import type { UnansweredMessage } from './session-checkpoint.js';
import { stillUnanswered } from './session-checkpoint.js';
import { addUsage, emptyUsage } from './usage.js';

/** A step of the current run that has `step.started` but no `step.completed`. */
export interface IncompleteStep {
  step: number;
  /** The committed model response, when the model call finished before the interruption. */
  message: EventDataByType['message.completed'] | undefined;
  /** Tool calls with `tool.started` committed. */
  started: ReadonlySet<string>;
  /** Tool calls with `tool.result` committed. */
  finished: ReadonlySet<string>;
  /** The agent that was active when the step started (it asked for the step's tool calls). */
  agentAtStart: string | undefined;
  /** The agent a handoff committed within this step switches to. */
  handoffTo: string | undefined;
  /** The `reason` the model gave for that handoff. */
  handoffReason: string | undefined;
  /** The admission verdict committed for this step's handoff, if any. */
  admission: EventDataByType['admission.checked'] | undefined;
  /** This step's `handoff.occurred` is committed. */
  handoffRecorded: boolean;
  /**
   * A message (a user's or a background report) was committed after the step's model response,
   * or a user's before it that its request had not read (`messagesThrough`): an answer of that
   * response does not end the turn, the model sees the message next.
   */
  followedByMessage: boolean;
}

/** Where the current run stopped, derived from the session log in one pass. */
export interface ResumePlan {
  /** The highest step number this run has started (0 when none). */
  lastStep: number;
  incomplete: IncompleteStep | undefined;
  /** The final answer when the last completed step answered without tool calls and no user message followed. */
  answer: string | undefined;
  /** This run's usage so far, over all its attempts. */
  usage: Usage;
  /** The agent the run handed off to last in a completed step, if any. */
  activeAgent: string | undefined;
  /** The run's last handoff in a completed step (its transfer's filter applies on resume). */
  lastHandoff: { from: string | undefined; to: string } | undefined;
  /** Handoffs this run made (`handoff.occurred`). */
  handoffs: number;
  /** This run's admission verdicts, oldest first (the first is the run start's, when committed). */
  admissions: EventDataByType['admission.checked'][];
  /** User messages (not background) that no model call has seen yet: input guardrails check them. */
  unanswered: string[];
  /**
   * The run's last answer, when a user's message came after its request (the first at `seq`:
   * committed during the call, or after the answer) and the run stepped no further: with no step
   * left for the message, the turn ends with that answer and leaves the message to the next run.
   */
  overtaken: { answer: string; seq: number } | undefined;
}

interface MutableStep extends IncompleteStep {
  started: Set<string>;
  finished: Set<string>;
  completed: boolean;
}

/**
 * Scans the log once for the events of `runId` and says where to continue. `unansweredBefore`:
 * the user messages no model call had seen when `events` begin (a checkpoint's, when the log
 * is read from one; the run then has no event before `events`).
 */
export function planResume(
  events: readonly BatonEvent[],
  runId: string,
  unansweredBefore: readonly UnansweredMessage[] = [],
): ResumePlan {
  let current: MutableStep | undefined;
  let answer: string | undefined;
  let usage = emptyUsage();
  let activeAgent: string | undefined;
  let lastHandoff: ResumePlan['lastHandoff'];
  let handoffs = 0;
  const admissions: EventDataByType['admission.checked'][] = [];
  let unanswered = [...unansweredBefore];
  // Background messages the model has not been shown: they are shown at a turn's end (see Transcript).
  let heldBackground = 0;
  let overtakenAnswer: ResumePlan['overtaken'];
  for (const event of events) {
    let releasing = false;
    let overtaken = false;
    if (event.type === 'message.received') {
      if (current?.message !== undefined && !current.completed) current.followedByMessage = true;
      // A user's message after this run's answer takes the answer's last word, as it does live:
      // with no step left for the message, the turn still ends with that answer.
      if (answer !== undefined && event.data.priority !== 'background')
        overtakenAnswer ??= { answer, seq: event.seq };
      // A background message after an answer (a child's report waking an idle-yielded run) is
      // shown to the model next, so that answer does not end the turn either.
      answer = undefined;
      if (event.data.priority === 'background') heldBackground += 1;
      else {
        unanswered.push({ seq: event.seq, text: event.data.text });
      }
    } else if (event.type === 'run.started') heldBackground = 0;
    else if (event.type === 'message.completed') {
      // A message the request had not read came while the model answered: it follows the response.
      unanswered = stillUnanswered(unanswered, event.data.messagesThrough);
      overtaken = unanswered.length > 0;
      // An answer with background messages waiting does not end the turn: they are shown next
      // (unless a user's message overtook it: the turn steps again, and they wait for its end).
      releasing = event.data.toolCalls.length === 0 && heldBackground > 0 && !overtaken;
      if (event.data.toolCalls.length === 0 && !overtaken) heldBackground = 0;
    }
    if (event.runId !== runId) continue;
    switch (event.type) {
      case 'step.started':
        overtakenAnswer = undefined;
        // A re-entered step (resume before its model response) keeps its number.
        if (current?.step !== event.data.step) {
          current = {
            step: event.data.step,
            message: undefined,
            started: new Set(),
            finished: new Set(),
            completed: false,
            agentAtStart: activeAgent,
            handoffTo: undefined,
            handoffReason: undefined,
            admission: undefined,
            handoffRecorded: false,
            followedByMessage: false,
          };
        }
        break;
      case 'message.completed':
        if (current !== undefined) {
          current.message = event.data;
          if (overtaken) current.followedByMessage = true;
        }
        usage = addUsage(usage, event.data.usage);
        answer = event.data.toolCalls.length === 0 && !releasing && !overtaken ? event.data.text : undefined;
        overtakenAnswer =
          event.data.toolCalls.length === 0 && overtaken
            ? { answer: event.data.text, seq: (unanswered[0] as UnansweredMessage).seq }
            : undefined;
        break;
      case 'tool.started':
        current?.started.add(event.data.toolCallId);
        break;
      case 'tool.result':
        current?.finished.add(event.data.toolCallId);
        if (current !== undefined && isHandoffResult(event.data)) {
          current.handoffTo = event.data.output.agent;
          current.handoffReason = event.data.output.reason;
        }
        break;
      case 'subagent.completed':
        // A child's usage rolls up into the run that started it.
        usage = addUsage(usage, event.data.usage);
        break;
      case 'admission.checked':
        // A child start's verdict belongs to the child (see `readChildren`), not to this run.
        if (event.data.toolCallId !== undefined) break;
        admissions.push(event.data);
        if (current?.handoffTo !== undefined) current.admission = event.data;
        break;
      case 'handoff.occurred':
        handoffs += 1;
        if (current !== undefined) current.handoffRecorded = true;
        break;
      case 'step.completed':
        if (current !== undefined) {
          current.completed = true;
          // `from` undefined: the run's starting agent handed off.
          if (current.handoffTo !== undefined)
            lastHandoff = { from: current.agentAtStart, to: current.handoffTo };
          activeAgent = current.handoffTo ?? activeAgent;
        }
        break;
      default:
        break;
    }
  }
  const incomplete = current !== undefined && !current.completed ? current : undefined;
  return {
    lastStep: current?.step ?? 0,
    incomplete,
    answer: incomplete === undefined ? answer : undefined,
    usage,
    activeAgent,
    lastHandoff,
    handoffs,
    admissions,
    unanswered: unanswered.map((message) => message.text),
    // Kept with an incomplete step too: its answer, dropped for the message, is its last word.
    overtaken: overtakenAnswer,
  };
}
