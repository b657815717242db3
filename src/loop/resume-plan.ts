import type { BatonEvent, EventDataByType, Usage } from '../core/events.js';
import { isHandoffResult } from './handoffs.js';
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
}

interface MutableStep extends IncompleteStep {
  started: Set<string>;
  finished: Set<string>;
  completed: boolean;
}

/** Scans the log once for the events of `runId` and says where to continue. */
export function planResume(events: readonly BatonEvent[], runId: string): ResumePlan {
  let current: MutableStep | undefined;
  let answer: string | undefined;
  let usage = emptyUsage();
  let activeAgent: string | undefined;
  for (const event of events) {
    if (event.type === 'message.received') answer = undefined;
    if (event.runId !== runId) continue;
    switch (event.type) {
      case 'step.started':
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
          };
        }
        break;
      case 'message.completed':
        if (current !== undefined) current.message = event.data;
        usage = addUsage(usage, event.data.usage);
        answer = event.data.toolCalls.length === 0 ? event.data.text : undefined;
        break;
      case 'tool.started':
        current?.started.add(event.data.toolCallId);
        break;
      case 'tool.result':
        current?.finished.add(event.data.toolCallId);
        if (current !== undefined && isHandoffResult(event.data)) current.handoffTo = event.data.output.agent;
        break;
      case 'step.completed':
        if (current !== undefined) {
          current.completed = true;
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
  };
}
