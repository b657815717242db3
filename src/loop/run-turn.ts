import { toErrorBody, UserError } from '../core/errors.js';
import { systemClock } from '../model/clock.js';
import { AgentRoster } from './agent-roster.js';
import { readChildren } from './children.js';
import { IdleYield, startsChildren } from './idle-yield.js';
import type { ResumePlan } from './resume-plan.js';
import { rebuildSession } from './session-state.js';
import { Turn } from './turn.js';
import type { TurnEnd } from './turn-end.js';
import { toOutcome } from './turn-end.js';
import { TurnSignal } from './turn-signal.js';
import type { RunTurnOptions, TurnOutcome } from './types.js';

/** The run's time limit: its agent's, lowered by what a child inherits from its parent's admission. */
function timeoutOf(options: RunTurnOptions): number | undefined {
  let timeoutMs = options.agent.limits.timeoutMs;
  for (const clamp of options.inheritedClamps ?? []) {
    const clamped = clamp.agent === options.agent.name ? clamp.limits?.timeoutMs : undefined;
    if (clamped !== undefined) timeoutMs = Math.min(timeoutMs ?? clamped, clamped);
  }
  return timeoutMs;
}

/** Finishes the interrupted step, if any, then steps until the turn ends. */
async function drive(turn: Turn, plan: ResumePlan): Promise<TurnEnd> {
  const refused = await turn.admitStart();
  if (refused !== undefined) return refused;
  const incomplete = plan.incomplete;
  if (incomplete !== undefined) {
    // Continue the interrupted step: a committed response is never requested again.
    let message = incomplete.message;
    if (message === undefined) {
      const result = await turn.callModel(incomplete.step, true);
      if ('end' in result) return result.end;
      message = result.message;
    }
    const end = await turn.finishStep(incomplete.step, message, incomplete);
    if (end !== undefined) return end;
  }
  for (;;) {
    const end = await turn.boundary();
    if (end !== undefined) return end;
    turn.step += 1;
    const result = await turn.callModel(turn.step, false);
    if ('end' in result) return result.end;
    const stepEnd = await turn.finishStep(turn.step, result.message);
    if (stepEnd !== undefined) return stepEnd;
  }
}

/**
 * Runs one agent turn against a journal (docs/architecture.md, durability). Loads the session log once
 * (from its checkpoint, when the journal has one),
 * rebuilds the conversation from every run of the session, continues the current run from its
 * first incomplete step, and then steps — model call, `message.completed`, tools, `step.completed`
 * — until the model answers without tool calls, a limit ends the turn, or it is cancelled.
 *
 * Never appends `run.*` events: the caller records the returned outcome. Errors thrown by the
 * journal (`LeaseLostError`) propagate as exceptions.
 */
export async function runTurn(options: RunTurnOptions): Promise<TurnOutcome> {
  const { journal } = options;
  const clock = options.clock ?? systemClock;
  const log = await journal.load();
  const { plan, transcript, context, gates, activations } = rebuildSession(log, journal.runId, {
    initialContext: options.toolContext?.context,
    transcript: { maxToolResultChars: options.agent.maxToolResultChars },
  });
  const turnSignal = new TurnSignal(options.signal, timeoutOf(options), options.activeMsBefore ?? 0);
  let turn: Turn | undefined;
  try {
    turn = new Turn({
      options,
      clock,
      roster: new AgentRoster(options.agent, options),
      transcript,
      turnSignal,
      plan,
      context,
      gates,
      activations,
      idle: new IdleYield(
        log.events,
        journal.runId,
        journal.sessionId,
        startsChildren(options.agent) ? options.children : undefined,
        options.agent.limits.maxIterations,
        log.checkpoint?.reportedChildren,
      ),
      children: readChildren(log.events),
    });
    const end = await drive(turn, plan);
    await journal.flush();
    return toOutcome(end, turn.usage, turn.step);
  } catch (error) {
    // A bad model spec, a missing API key or clashing tool names (found when an agent first
    // becomes active) fail the run with a message saying what to fix; anything else propagates.
    if (!(error instanceof UserError)) throw error;
    const body = toErrorBody(error);
    await journal.flush();
    return toOutcome(
      { reason: 'error', error: body },
      turn?.usage ?? plan.usage,
      turn?.step ?? plan.lastStep,
    );
  } finally {
    turnSignal.dispose();
  }
}
