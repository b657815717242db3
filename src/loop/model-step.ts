import { toErrorBody } from '../core/errors.js';
import type { EventDataByType } from '../core/events.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { ModelResponse } from '../model/call-model.js';
import { callModel } from '../model/call-model.js';
import type { Clock } from '../model/clock.js';
import type { RetryNotice, RetryResult } from '../model/retry.js';
import { withRetry } from '../model/retry.js';
import { observedModelCall } from '../telemetry/instrumentation.js';
import type { ActiveAgent } from './agent-roster.js';
import type { Journal } from './journal.js';
import type { Transcript } from './transcript.js';
import type { TurnEnd } from './turn-end.js';
import type { TurnSignal } from './turn-signal.js';

type AssistantData = EventDataByType['message.completed'];

/** Options of {@link runModelStep}. */
export interface ModelStepOptions {
  journal: Journal;
  transcript: Transcript;
  active: ActiveAgent;
  step: number;
  retry: Partial<RetryPolicy> | undefined;
  clock: Clock;
  turnSignal: TurnSignal;
}

/** The committed response, or how the turn ends because the model call did not succeed. */
export type ModelStepResult = { message: AssistantData } | { end: TurnEnd };

/**
 * Where one step's model call reports: text deltas go live as `model.delta`, retries are
 * committed as `model.retried`. One object per step with two bound methods, rather than closures
 * (which the dev loader wraps in a `__name` call each, on the hot path of every step).
 */
class ModelStepReports {
  /** A failed commit of `model.retried` (a lost lease): it must stop the turn, not pass as a model error. */
  journalFailure: unknown;
  readonly textDelta = this.emitDelta.bind(this);
  readonly retry = this.recordRetry.bind(this);

  constructor(
    private readonly journal: Journal,
    private readonly step: number,
  ) {}

  private emitDelta(delta: string): void {
    const { journal } = this;
    journal.emitLive({
      type: 'model.delta',
      sessionId: journal.sessionId,
      runId: journal.runId,
      step: this.step,
      delta,
    });
  }

  private async recordRetry(retried: RetryNotice): Promise<void> {
    try {
      await this.journal.append({ type: 'model.retried', data: retried });
    } catch (error) {
      this.journalFailure = error;
      throw error;
    }
  }
}

/**
 * Calls the model for one step (with retries, each recorded as `model.retried` before its wait),
 * streaming text deltas live as `model.delta`, and commits the response as `message.completed`
 * before any tool runs — a crash after this point never pays for the same model call twice (an
 * answer without tool calls is staged instead, for its step's `step.completed`). A model
 * failure (after retries), a deferral or an interruption ends the turn; a journal failure
 * (`LeaseLostError`) is thrown.
 */
export async function runModelStep(options: ModelStepOptions): Promise<ModelStepResult> {
  const { journal, transcript, active, turnSignal } = options;
  const signal = turnSignal.signal;
  // The agent's own settings win over the runtime's, field by field.
  const policy = { ...options.retry, ...active.agent.retry };
  const reports = new ModelStepReports(journal, options.step);
  // What the prompt holds of the session's messages: one committed during the call lies in the
  // log before this response, and is placed after it wherever the log is read back.
  const messagesThrough = journal.seen;
  let response: RetryResult<ModelResponse>;
  try {
    // Every attempt makes the same call: bound once, not a closure (see `ModelStepReports`).
    const attempt = callModel.bind(undefined, {
      model: active.model,
      prompt: transcript.modelPrompt,
      tools: active.definitions,
      signal,
      timeouts: policy,
      pricing: active.pricing,
      onTextDelta: reports.textDelta,
    });
    response = await withRetry(observedModelCall(active.model, transcript.prompt, attempt), {
      policy,
      clock: options.clock,
      signal,
      onRetry: reports.retry,
    });
  } catch (error) {
    if (reports.journalFailure !== undefined) throw reports.journalFailure;
    return { end: turnSignal.interruption() ?? { reason: 'error', error: toErrorBody(error) } };
  }
  if (!response.ok) return { end: { reason: 'deferred', retryAt: response.retryAt, error: response.error } };
  const data: AssistantData = { role: 'assistant', ...response.value, messagesThrough };
  const draft = { type: 'message.completed', data } as const;
  if (data.toolCalls.length > 0) await journal.append(draft);
  else {
    // An answer runs no tool, so nothing needs it committed first: it rides with its step's
    // `step.completed` (and, in a session's run, with the run's end: see `Turn.boundary`); a
    // crash before that commit re-calls the model, as a crash during the call does
    // (docs/events.md, "Transactions of a step").
    const staged = journal.stage(draft);
    if (staged !== undefined) await staged;
  }
  transcript.addAssistantMessage(data, journal.runId);
  return { message: data };
}
