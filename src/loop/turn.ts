import type { EventDataByType, Usage } from '../core/events.js';
import type { GateLedger } from '../core/gates.js';
import type { ToolContext } from '../core/tool.js';
import type { Clock } from '../model/clock.js';
import type { ActiveAgent, AgentRoster } from './agent-roster.js';
import { isHandoffResult } from './handoffs.js';
import { runModelStep } from './model-step.js';
import type { IncompleteStep, ResumePlan } from './resume-plan.js';
import { runToolCalls } from './run-tool-calls.js';
import type { StopCondition } from './stop-conditions.js';
import { firstMet, limitConditions } from './stop-conditions.js';
import type { Transcript } from './transcript.js';
import type { TurnEnd } from './turn-end.js';
import type { TurnSignal } from './turn-signal.js';
import type { RunTurnOptions } from './types.js';
import { addUsage } from './usage.js';

type AssistantData = EventDataByType['message.completed'];

/** What a {@link Turn} is made of; assembled by `runTurn`. */
export interface TurnParts {
  options: RunTurnOptions;
  clock: Clock;
  roster: AgentRoster;
  transcript: Transcript;
  turnSignal: TurnSignal;
  plan: ResumePlan;
  /** The approvals and questions of the session's log as loaded. */
  gates: GateLedger;
}

/**
 * The state of one turn and its step operations: start a step (model call), finish a step
 * (tools, handoffs, `step.completed`), and check the step boundary (inbox, answer, limits).
 */
export class Turn {
  usage: Usage;
  /** The highest step number of this run; steps are numbered from 1 within a run. */
  step: number;
  private active: ActiveAgent;
  private answer: string | undefined;
  private readonly startedAt: number;
  private readonly conditions: StopCondition[];
  private readonly toolContext: Pick<ToolContext, 'context' | 'auth'>;

  constructor(private readonly parts: TurnParts) {
    const { options, plan, clock } = parts;
    this.startedAt = clock.now();
    this.conditions = limitConditions(options.agent.limits);
    const auth = options.toolContext?.auth;
    this.toolContext = {
      context: options.toolContext?.context ?? {},
      ...(auth === undefined ? {} : { auth }),
    };
    this.usage = plan.usage;
    this.step = plan.lastStep;
    this.answer = plan.answer;
    // An interrupted step is finished by the agent that asked for its tool calls.
    const agentAtStart = plan.incomplete === undefined ? plan.activeAgent : plan.incomplete.agentAtStart;
    this.active = this.activate(agentAtStart ?? options.agent.name);
  }

  /** Calls the model for `step`; `step.started` is committed unless an earlier attempt did. */
  async callModel(
    step: number,
    alreadyStarted: boolean,
  ): Promise<{ message: AssistantData } | { end: TurnEnd }> {
    const { journal } = this.parts.options;
    if (!alreadyStarted) await journal.append({ type: 'step.started', data: { step } });
    const result = await runModelStep({
      journal,
      transcript: this.parts.transcript,
      active: this.active,
      step,
      retry: this.parts.options.retry,
      clock: this.parts.clock,
      turnSignal: this.parts.turnSignal,
    });
    if ('message' in result) this.usage = addUsage(this.usage, result.message.usage);
    return result;
  }

  /** Runs the tools of a committed response, applies handoffs and commits `step.completed`. */
  async finishStep(
    step: number,
    message: AssistantData,
    resumed?: IncompleteStep,
  ): Promise<TurnEnd | undefined> {
    const { journal } = this.parts.options;
    const { results, waiting } = await runToolCalls(
      {
        journal,
        transcript: this.parts.transcript,
        active: this.active,
        clock: this.parts.clock,
        signal: this.parts.turnSignal.signal,
        toolContext: this.toolContext,
        malformed: message.finishReason === 'malformed',
        gates: this.parts.gates,
        runPath: this.parts.options.runPath ?? [journal.runId],
        ...(this.parts.options.approvals && { approvals: this.parts.options.approvals }),
        ...(resumed === undefined ? {} : { started: resumed.started, finished: resumed.finished }),
      },
      message.toolCalls,
    );
    const interrupted = this.parts.turnSignal.interruption();
    if (interrupted !== undefined) return interrupted;
    // The step stays open: it is finished by the attempt that resumes once the gates are settled.
    if (waiting !== undefined) return { reason: 'waiting', waiting };
    const handoff = results.filter(isHandoffResult).at(-1)?.output.agent ?? resumed?.handoffTo;
    if (handoff !== undefined) this.active = this.activate(handoff);
    await journal.append({ type: 'step.completed', data: { step } });
    this.answer = message.toolCalls.length === 0 ? message.text : undefined;
    return undefined;
  }

  /**
   * The step boundary: drains the inbox (new user messages mean another step even after an
   * answer), then ends the turn on an answer, a cancellation or a limit. `undefined` = step again.
   */
  async boundary(): Promise<TurnEnd | undefined> {
    const inbox = await this.parts.options.journal.drainInbox();
    for (const event of inbox) {
      if (this.parts.transcript.addUserMessage(event)) this.answer = undefined;
    }
    if (this.answer !== undefined) return { reason: 'answered', text: this.answer };
    const interrupted = this.parts.turnSignal.interruption();
    if (interrupted !== undefined) return interrupted;
    const progress = {
      steps: this.step,
      usage: this.usage,
      elapsedMs: (this.parts.options.activeMsBefore ?? 0) + this.parts.clock.now() - this.startedAt,
    };
    const limit = firstMet(this.conditions, progress);
    return limit === undefined ? undefined : { reason: limit.reason, message: limit.message };
  }

  private activate(name: string): ActiveAgent {
    const active = this.parts.roster.get(name);
    this.parts.transcript.setInstructions(active.agent.instructions);
    return active;
  }
}
