import type { Agent, AgentLimits } from '../core/agent.js';
import type { EventDataByType, ToolCallRecord, Usage } from '../core/events.js';
import type { GateLedger } from '../core/gates.js';
import type { ToolContext } from '../core/tool.js';
import type { Clock } from '../model/clock.js';
import { AdmissionState } from './admission/admission-state.js';
import { admit, rejection } from './admission/admit.js';
import type { ActiveAgent, AgentRoster } from './agent-roster.js';
import type { ChildPhase } from './child-gate.js';
import type { ChildLedger } from './children.js';
import { compactIfLong } from './compaction.js';
import type { ContextState } from './context-state.js';
import { Guardrails } from './guardrails.js';
import { isHandoffResult, transferTo } from './handoffs.js';
import type { IdleYield } from './idle-yield.js';
import { resolveInstructions } from './instructions.js';
import { runModelStep } from './model-step.js';
import type { IncompleteStep, ResumePlan } from './resume-plan.js';
import { runToolCalls } from './run-tool-calls.js';
import type { SkillActivations } from './skills/skill-activations.js';
import { withSkillInstructions } from './skills/skill-instructions.js';
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
  /** The session's context, as the log has it. */
  context: ContextState;
  /** The approvals and questions of the session's log as loaded. */
  gates: GateLedger;
  /** The skills the session activated, as the log has them. */
  activations: SkillActivations;
  /** Whether an answer waits for background children instead of ending the turn. */
  idle: IdleYield;
  /** The children of the session's tool calls as loaded. */
  children: ChildLedger;
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
  /** The answer messages overtook before this attempt (`ResumePlan.overtaken`), for its first boundary. */
  private overtakenBefore: { answer: string; seq: number } | undefined;
  /**
   * Whether an answer's events wait for the run's end (`commitAnswer`): not when something
   * looks at the answer first, a guardrail (it may take long: a model of its own) or a park on
   * children (fenced by the head the turn read, which a commit of the answer would move).
   */
  private readonly answerRidesWithEnd: boolean;
  /** The last step's answer is staged, for the run's end. */
  private answerStaged = false;
  private readonly startedAt: number;
  private readonly toolContext: Pick<ToolContext, 'auth' | 'children'> & { context: ContextState };
  private readonly guardrails: Guardrails;
  /** Clamps of this run's admissions (replayed from the log on resume). */
  private readonly admission = new AdmissionState();
  /** Handoffs this run made so far. */
  private handoffs: number;
  /** User messages the model has not seen yet: input guardrails check them before the next model call. */
  private unanswered: string[];
  /**
   * The last boundary read messages (see `callModel`): they were committed before this turn's
   * latest commits (they came while the model or the tools worked), so the log alone would show
   * them as seen by the response that came after them.
   */
  private readMessages = false;
  /** The stop conditions of the limits in force; made again whenever `active` changes (see `activate`). */
  private conditions: StopCondition[] = [];
  // What every step hands its tool phase and model call, made once per turn rather than as
  // closures and objects per step.
  private readonly runPath: string[];
  private readonly childPhase: ChildPhase;
  private readonly screenTool = (call: ToolCallRecord) => this.guardrails.screenTool(call, this.active.agent);
  private readonly instructionsContext = () => ({
    context: this.parts.context.reader(),
    sessionId: this.parts.options.journal.sessionId,
    runId: this.parts.options.journal.runId,
  });

  constructor(private readonly parts: TurnParts) {
    const { options, plan, clock } = parts;
    this.startedAt = clock.now();
    this.guardrails = new Guardrails(options.journal, options.agent);
    this.answerRidesWithEnd =
      options.commitAnswer !== undefined && !parts.idle.watchesChildren && !this.guardrails.screensOutput();
    this.admission.apply(options.inheritedClamps ?? []);
    for (const verdict of plan.admissions) this.admission.apply(verdict.clamps);
    this.handoffs = plan.handoffs;
    this.unanswered = [...plan.unanswered];
    const auth = options.toolContext?.auth;
    this.toolContext = {
      context: parts.context,
      ...(auth === undefined ? {} : { auth }),
      ...(options.children === undefined ? {} : { children: options.children }),
    };
    this.runPath = options.runPath ?? [options.journal.runId];
    this.childPhase = {
      runs: options.childRuns,
      ledger: parts.children,
      admit: (agent, toolCallId) => this.admitChild(agent, toolCallId),
      addUsage: (usage) => {
        this.usage = addUsage(this.usage, usage);
      },
      runPath: this.runPath,
    };
    this.usage = plan.usage;
    this.step = plan.lastStep;
    this.answer = plan.answer;
    this.overtakenBefore = plan.overtaken;
    // An interrupted step is finished by the agent that asked for its tool calls.
    const agentAtStart = plan.incomplete === undefined ? plan.activeAgent : plan.incomplete.agentAtStart;
    this.active = this.activate(agentAtStart ?? options.agent.name);
    const last = plan.lastHandoff;
    if (last !== undefined) {
      const from = last.from === undefined ? options.agent : parts.roster.get(last.from).agent;
      parts.transcript.filterHistory(transferTo(from, last.to)?.inputFilter, parts.transcript.handoffMark);
    }
  }

  /** Admission at the run's start (once per run: a resumed run reuses its committed verdict). */
  async admitStart(): Promise<TurnEnd | undefined> {
    const { options, plan } = this.parts;
    const root = options.agent;
    const committed = plan.admissions[0];
    const error = rejection(
      committed ??
        (await admit(options.journal, options.admission, root, this.admission, {
          point: 'run.start',
          starting: root.name,
          ceiling: this.admission.limitsOf(root),
        })),
    );
    if (error !== undefined) return { reason: 'error', error };
    // Clamps may have removed tools of the active agent.
    this.active = this.activate(this.active.agent.name);
    return undefined;
  }

  /** Calls the model for `step`; `step.started` is staged unless an earlier attempt committed it. */
  async callModel(
    step: number,
    alreadyStarted: boolean,
  ): Promise<{ message: AssistantData } | { end: TurnEnd }> {
    const { journal } = this.parts.options;
    if (this.unanswered.length > 0) {
      const refused = await this.guardrails.screenInput(this.unanswered, this.active.agent);
      this.unanswered = [];
      if (refused !== undefined) return { end: { reason: 'error', error: refused } };
    }
    // A long transcript is summarised before the step, so the call and what follows see the summary.
    // (An agent without compaction settings has nothing to check: no call, no promise.)
    if (this.parts.options.agent.compaction !== undefined) {
      await compactIfLong({
        journal,
        transcript: this.parts.transcript,
        agent: this.parts.options.agent,
        model: this.active.model,
        env: this.parts.options.env ?? {},
        signal: this.parts.turnSignal.signal,
      });
    }
    // A crash during the model call re-calls the model whether or not `step.started` was
    // committed, so it rides with `message.completed` (or with a `model.retried` before it)...
    // unless the last boundary read messages: they lie in the log before the response they came
    // after, and a resumed attempt would take that response (an answer) for the reply to them.
    // A committed `step.started` after the response says the model was asked again.
    const started = { type: 'step.started', data: { step } } as const;
    const recorded = alreadyStarted
      ? undefined
      : this.readMessages
        ? journal.append(started)
        : journal.stage(started);
    this.readMessages = false;
    if (recorded !== undefined) await recorded;
    // Dynamic instructions are resolved before every call, so they see the latest context.
    const resolved = resolveInstructions(this.active.agent, this.instructionsContext);
    const instructions = typeof resolved === 'string' ? resolved : await resolved;
    const blockOf = this.parts.options.instructionsBlock;
    const block = blockOf === undefined ? undefined : await blockOf();
    const withSkills = withSkillInstructions(instructions, this.active.skills, this.parts.activations);
    this.parts.transcript.setInstructions(block === undefined ? withSkills : `${withSkills}\n\n${block}`);
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
        // Without tool guardrails (most agents) no call waits on a screen that has nothing to check.
        ...(this.guardrails.screensTools(this.active.agent) && { screen: this.screenTool }),
        gates: this.parts.gates,
        activations: this.parts.activations,
        runPath: this.runPath,
        children: this.childPhase,
        ...(this.parts.options.approvals && { approvals: this.parts.options.approvals }),
        ...(resumed === undefined ? {} : { started: resumed.started, finished: resumed.finished }),
      },
      message.toolCalls,
    );
    const interrupted = this.parts.turnSignal.interruption();
    if (interrupted !== undefined) return interrupted;
    // The step stays open: it is finished by the attempt that resumes once the gates are settled.
    if (waiting !== undefined) return { reason: 'waiting', waiting };
    const committed = results.filter(isHandoffResult).at(-1)?.output;
    const handoff =
      committed ??
      (resumed?.handoffTo === undefined
        ? undefined
        : { agent: resumed.handoffTo, reason: resumed.handoffReason });
    if (handoff !== undefined) {
      const end = await this.handOff(handoff.agent, handoff.reason, resumed);
      if (end !== undefined) return end;
    }
    const completed = { type: 'step.completed', data: { step } } as const;
    if (message.toolCalls.length > 0 || !this.answerRidesWithEnd) await journal.append(completed);
    else {
      const staged = journal.stage(completed);
      if (staged !== undefined) await staged;
      this.answerStaged = true;
    }
    // A resumed answer that a message followed before the interruption is not the turn's last
    // word: the message was read with the log, so nothing else would ever answer it.
    const final = message.toolCalls.length === 0 && resumed?.followedByMessage !== true;
    this.answer = final ? message.text : undefined;
    return undefined;
  }

  /**
   * The step boundary: drains the inbox (new user messages mean another step even after an
   * answer), then ends the turn on an answer (or, with background children pending, waits for
   * them), a cancellation or a limit. `undefined` = step again.
   */
  async boundary(): Promise<TurnEnd | undefined> {
    const { journal, commitAnswer } = this.parts.options;
    const staged = this.answerStaged;
    this.answerStaged = false;
    const inbox = await journal.drainInbox();
    if (inbox.length > 0) this.readMessages = true;
    /** The answer the first of the inbox's messages took the turn's last word from, and that message. */
    let overtaken = this.overtakenBefore;
    this.overtakenBefore = undefined;
    for (const event of inbox) {
      this.parts.idle.note(event);
      if (this.parts.transcript.addUserMessage(event)) {
        if (this.answer !== undefined) overtaken = { answer: this.answer, seq: event.seq };
        this.answer = undefined;
        this.unanswered.push(event.data.text);
      }
    }
    // Background messages wait for the turn's end; then the model is shown them and goes on.
    if (this.answer !== undefined && this.parts.transcript.releaseBackground()) this.answer = undefined;
    if (this.answer !== undefined) {
      const yielded = await this.parts.idle.decide();
      if (yielded !== undefined) return yielded;
      // The answer and the run's end in one commit, made only if nothing was appended since the
      // turn last looked (on Postgres the inbox was read from the turn's own last commit, so a
      // message that came during the model call shows only now): then the answer commits on its
      // own, which shows what came, and the boundary looks again (docs/events.md).
      if (staged && commitAnswer !== undefined) {
        if (await commitAnswer({ text: this.answer, usage: this.usage }))
          return { reason: 'answered', text: this.answer };
        await journal.flush();
        // Once: nothing is staged any more, so the second look ends as an unstaged answer does.
        return this.boundary();
      }
      return this.screenedAnswer(this.answer);
    }
    // Another step follows (a message came after the answer): the answer commits first, so
    // readers see it before the next model call.
    if (staged) await journal.flush();
    const interrupted = this.parts.turnSignal.interruption();
    if (interrupted !== undefined) return interrupted;
    const progress = {
      steps: this.step,
      usage: this.usage,
      elapsedMs: (this.parts.options.activeMsBefore ?? 0) + this.parts.clock.now() - this.startedAt,
    };
    const limit = firstMet(this.conditions, progress);
    if (limit === undefined) return undefined;
    // No step is left to answer the messages that came while the model answered: the answer is
    // the run's, and they are left for the session's next run, which reads them after it (the
    // response records what its request had read: `messagesThrough`, docs/events.md).
    if (overtaken !== undefined && journal.leaveUnread?.(overtaken.seq) === true)
      return this.screenedAnswer(overtaken.answer);
    return { reason: limit.reason, message: limit.message };
  }

  /** The turn's end with `answer`, unless an output guardrail refuses it. */
  private async screenedAnswer(answer: string): Promise<TurnEnd> {
    const refused = await this.guardrails.screenOutput(answer, this.active.agent);
    return refused === undefined ? { reason: 'answered', text: answer } : { reason: 'error', error: refused };
  }

  /**
   * Admission before a child start: the child's graph is checked with the parent's remaining
   * budget (its limits minus the steps, tokens, cost and active time spent) as the ceiling, so
   * `budgetCeiling` lowers the child's limits to it. The parent's own clamps are not touched.
   */
  private admitChild(agent: Agent, toolCallId: string): Promise<EventDataByType['admission.checked']> {
    const { journal, agent: root, admission } = this.parts.options;
    return admit(
      journal,
      admission,
      agent,
      this.admission.clone(),
      { point: 'child', starting: root.name, from: this.active.agent.name, ceiling: this.remaining() },
      toolCallId,
    );
  }

  /** The run's limits less what it spent so far (each at least a little, as limits are positive). */
  private remaining(): AgentLimits {
    const limits = this.admission.limitsOf(this.parts.options.agent);
    const elapsedMs = (this.parts.options.activeMsBefore ?? 0) + this.parts.clock.now() - this.startedAt;
    const left = (limit: number | undefined, spent: number, least: number) =>
      limit === undefined ? undefined : Math.max(least, limit - spent);
    const remaining = {
      maxSteps: left(limits.maxSteps, this.step, 1),
      maxTokens: left(limits.maxTokens, this.usage.inputTokens + this.usage.outputTokens, 1),
      maxCostUsd: left(limits.maxCostUsd, this.usage.costUsd ?? 0, 1e-6),
      timeoutMs: left(limits.timeoutMs, elapsedMs, 1),
      maxHandoffs: limits.maxHandoffs,
    };
    return Object.fromEntries(
      Object.entries(remaining).filter(([, value]) => value !== undefined),
    ) as AgentLimits;
  }

  /**
   * The run's limits (its starting agent's) and, while `active` is another agent, its own, both
   * with admission's clamps: an agent's limits count the run's totals while it is active.
   */
  private limitConditions(active: ActiveAgent): StopCondition[] {
    const root = this.parts.options.agent;
    const conditions = limitConditions(this.admission.limitsOf(root));
    if (active.agent !== root) conditions.push(...limitConditions(this.admission.limitsOf(active.agent)));
    return conditions;
  }

  /**
   * Hands the turn to `to`: checks the run's `maxHandoffs`, admits the graph reachable from the
   * target, commits `handoff.occurred` and shows the target the history its transfer's filter
   * chooses. A resumed step reuses what it had committed of this, in that order.
   */
  private async handOff(
    to: string,
    reason: string | undefined,
    resumed: IncompleteStep | undefined,
  ): Promise<TurnEnd | undefined> {
    const { journal, agent: root, admission } = this.parts.options;
    const from = this.active.agent;
    if (resumed?.handoffRecorded !== true) {
      const max = this.admission.limitsOf(root).maxHandoffs;
      if (max !== undefined && this.handoffs >= max) {
        return { reason: 'max_handoffs', message: `the run reached its limit of ${max} handoffs` };
      }
      const target = this.parts.roster.get(to).agent;
      const error = rejection(
        resumed?.admission ??
          (await admit(journal, admission, target, this.admission, {
            point: 'handoff',
            starting: root.name,
            from: from.name,
            ceiling: this.admission.limitsOf(root),
          })),
      );
      if (error !== undefined) return { reason: 'error', error };
      await journal.append({
        type: 'handoff.occurred',
        data: { from: from.name, to, ...(reason !== undefined && { reason }) },
      });
      this.handoffs += 1;
    }
    this.active = this.activate(to);
    const { transcript } = this.parts;
    transcript.filterHistory(transferTo(from, to)?.inputFilter, transcript.lengthBeforeLate());
    return undefined;
  }

  /**
   * The prepared agent named `name`, without the tools admission removed, with its instructions
   * shown; its stop conditions are made now. Admission's clamps change only before an activation
   * (the run's start, a handoff), so they hold until the next one.
   */
  private activate(name: string): ActiveAgent {
    const active = this.admission.restrict(this.parts.roster.get(name));
    this.conditions = this.limitConditions(active);
    return active;
  }
}
