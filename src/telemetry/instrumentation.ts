import type { Attributes, Context, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { ErrorCode } from '../core/error-codes.js';
import { type AgentSeries, BoundSeries, type ModelSeries } from './bound-series.js';
import { ContextSlot } from './context-slot.js';
import type { BatonMetrics } from './metrics.js';
import type {
  ObservedAdmission,
  ObservedClaim,
  ObservedDraft,
  ObservedModel,
  ObservedModelResponse,
  ObservedRun,
  ObservedToolOutcome,
} from './observed.js';
import { redact } from './redact.js';
import { formatTraceparent, parseTraceparent, withTraceparent } from './trace-context.js';

/** What the runtime is told to observe with (`createRuntime({ tracerProvider, metrics })`). */
export interface TelemetryOptions {
  /** Spans go to this provider; without one no span is made (and no SDK is loaded). */
  tracerProvider?: TracerProvider;
  /** Counters and histograms are fed into these. */
  metrics?: BatonMetrics;
  /** Record prompts, answers, tool arguments and results on spans (`BATON_OTEL_CAPTURE_CONTENT`), redacted. */
  captureContent?: boolean;
  /**
   * Journal commits at least this slow (ms) get a `baton.store.commit` span; failed ones always
   * do. Default 5: a step commits three times, and a span for each fast one costs more than it
   * tells (the commit latency histogram has them all). 0 spans every commit.
   */
  commitSpanMinMs?: number;
}

/** The code of a conditional append that wrote nothing (the store's `AppendConflictError`). */
const APPEND_CONFLICT: ErrorCode = 'append_conflict';

/** Default of {@link TelemetryOptions.commitSpanMinMs}. */
const DEFAULT_COMMIT_SPAN_MIN_MS = 5;

/**
 * Observes the executions of one runtime: an `invoke_agent <agent>` span per run attempt with
 * `chat <model>` and `execute_tool <tool>` children (OpenTelemetry GenAI conventions), and the
 * run, step, model, tool and commit metrics. Spans only when a tracer provider was given,
 * metrics only when a metrics set was: with neither, every hook is a plain call.
 */
export class Instrumentation {
  readonly #tracer: Tracer | undefined;
  readonly metrics: BatonMetrics | undefined;
  readonly captureContent: boolean;
  readonly commitSpanMinMs: number;
  /** Span names, provider names and metric children per model, tool and agent, made once each. */
  readonly series: BoundSeries;

  constructor(options: TelemetryOptions = {}) {
    this.#tracer = options.tracerProvider?.getTracer('baton-runtime');
    this.metrics = options.metrics;
    this.captureContent = options.captureContent === true;
    this.commitSpanMinMs = options.commitSpanMinMs ?? DEFAULT_COMMIT_SPAN_MIN_MS;
    this.series = new BoundSeries(options.metrics);
  }

  /** An observer of one execution (one claim) of `run` by worker `workerId`. */
  observeRun(run: ObservedRun, workerId: string, claim?: ObservedClaim): RunObserver {
    return new RunObserver(this, this.#tracer, run, workerId, claim);
  }
}

const currentAttempt = new ContextSlot<RunObserver>();

/**
 * One execution of a run: its span opens when `run.started` commits, model and tool calls made
 * inside {@link RunObserver.attempt} become its children, and it closes at {@link RunObserver.end}.
 */
export class RunObserver {
  #span: Span | undefined;
  #spanContext: Context | undefined;
  #attempt: number;
  #agent: string;
  #agentSeries: AgentSeries | undefined;
  #stepStartedAt: number | undefined;
  #ended = false;

  constructor(
    private readonly instrumentation: Instrumentation,
    private readonly tracer: Tracer | undefined,
    private readonly run: ObservedRun,
    private readonly workerId: string,
    private readonly claim?: ObservedClaim,
  ) {
    this.#attempt = run.attempt;
    this.#agent = run.agent;
  }

  /**
   * Runs `work` as this attempt: model and tool calls inside it are observed and runs it creates
   * join its trace. (The executor names the session, run and worker on its log lines.)
   */
  attempt<T>(work: () => Promise<T>): Promise<T> {
    return currentAttempt.run(this, () => withTraceparent(() => this.traceparent(), work));
  }

  /** The trace context children of this attempt are created under. */
  traceparent(): string | null {
    const context = this.#span?.spanContext();
    if (!context) return this.run.traceparent;
    const sampled = (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    return formatTraceparent({ traceId: context.traceId, spanId: context.spanId, sampled });
  }

  /**
   * Makes one journal commit of the execution (`append`), times it, and reads what it committed.
   * A slow or failed one becomes a `baton.store.commit` span, made once its time is known;
   * commits before the attempt's span opened have none.
   */
  commit<T>(drafts: readonly ObservedDraft[], append: () => Promise<T>): Promise<T> {
    // Nothing to time, count or span (no tracer provider, no metrics): just the commit, its
    // promise not wrapped in another.
    if (!this.tracer && !this.instrumentation.metrics) return append();
    return this.#observedCommit(drafts, append);
  }

  async #observedCommit<T>(drafts: readonly ObservedDraft[], append: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await append();
      const seconds = elapsed(startedAt);
      if (seconds * 1000 >= this.instrumentation.commitSpanMinMs) this.#commitSpan(drafts, startedAt);
      const metrics = this.instrumentation.metrics;
      metrics?.commitDuration.observe(seconds);
      for (const draft of drafts) this.#observeEvent(draft, metrics);
      return result;
    } catch (error) {
      // A conditional commit whose condition no longer held wrote nothing, and its caller decides
      // again (an answer a message overtook, a delivery that raced another): an outcome, not a
      // failure, spanned like a commit that wrote.
      if (errorCode(error) !== APPEND_CONFLICT) this.#commitSpan(drafts, startedAt, { error });
      else if (elapsed(startedAt) * 1000 >= this.instrumentation.commitSpanMinMs)
        this.#commitSpan(drafts, startedAt, { conflict: true });
      throw error;
    }
  }

  #commitSpan(
    drafts: readonly ObservedDraft[],
    startedAt: number,
    outcome: { error?: unknown; conflict?: boolean } = {},
  ): void {
    if (!this.tracer || !this.#spanContext) return;
    const span = this.tracer.startSpan(
      'baton.store.commit',
      {
        kind: SpanKind.INTERNAL,
        startTime: performance.timeOrigin + startedAt,
        attributes: {
          'baton.store.events': drafts.length,
          'baton.store.event_types': [...new Set(drafts.map((draft) => draft.type))],
          ...(outcome.conflict && { 'baton.store.conflict': true }),
        },
      },
      this.#spanContext,
    );
    if ('error' in outcome) failSpan(span, errorCode(outcome.error), outcome.error);
    span.end();
  }

  /**
   * Notes an event the journal staged to commit with a later one: a step's `step.started`
   * commits with its `message.completed`, after the model call, so the step is timed from here.
   */
  staged(draft: ObservedDraft): void {
    if (this.instrumentation.metrics && draft.type === 'step.started')
      this.#stepStartedAt = performance.now();
  }

  /** Closes the attempt's span (idempotent); called once the execution settled. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span?.end();
  }

  /** Observes one model request as a `chat <model>` span. */
  modelCall<R extends ObservedModelResponse>(
    model: ObservedModel,
    prompt: unknown,
    call: () => Promise<R>,
  ): Promise<R> {
    // No span to make (no tracer provider, or before the attempt's span) and no metrics: just
    // the call, its promise not wrapped in another.
    if (!this.#spanContext && !this.instrumentation.metrics) return call();
    return this.#observedModelCall(model, prompt, call);
  }

  async #observedModelCall<R extends ObservedModelResponse>(
    model: ObservedModel,
    prompt: unknown,
    call: () => Promise<R>,
  ): Promise<R> {
    const metrics = this.instrumentation.metrics;
    const series = this.instrumentation.series.model(model);
    const span = this.#chatSpan(series, model.modelId, prompt);
    const startedAt = performance.now();
    try {
      const response = await call();
      const { usage } = response;
      if (span) {
        span.setAttribute('gen_ai.response.finish_reasons', [response.finishReason]);
        span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
        span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
        if (usage.costUsd !== undefined) span.setAttribute('baton.usage.cost_usd', usage.costUsd);
        if (this.instrumentation.captureContent)
          span.setAttribute(
            'gen_ai.output.messages',
            contentOf({ text: response.text, toolCalls: response.toolCalls }),
          );
      }
      const ok = series.ok;
      if (ok) {
        ok.duration.observe(elapsed(startedAt));
        // A provider's odd usage (NaN, negative) is not counted: a counter refuses it, and the
        // refusal would fail a call that succeeded (and was paid for).
        if (countable(usage.inputTokens)) ok.inputTokens.inc(usage.inputTokens);
        if (countable(usage.outputTokens)) ok.outputTokens.inc(usage.outputTokens);
        if (countable(usage.costUsd)) ok.cost.inc(usage.costUsd);
      }
      return response;
    } catch (error) {
      // A failed request used no tokens we know of; the conventions still want both counts.
      span?.setAttribute('gen_ai.usage.input_tokens', 0);
      span?.setAttribute('gen_ai.usage.output_tokens', 0);
      const code = errorCode(error);
      failSpan(span, code, error);
      metrics?.modelCallDuration.observe({ ...series.labels, outcome: code }, elapsed(startedAt));
      throw error;
    } finally {
      span?.end();
    }
  }

  #chatSpan(series: ModelSeries, modelId: string, prompt: unknown): Span | undefined {
    if (!this.tracer || !this.#spanContext) return undefined;
    // One literal: the SDK copies and checks every attribute, and an object built by spreads
    // costs it twice as much as one of a fixed shape.
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': series.provider,
      'gen_ai.request.model': modelId,
      'baton.session.id': this.run.sessionId,
      'baton.run.id': this.run.id,
      'baton.run.attempt': this.#attempt,
      'baton.worker.id': this.workerId,
    };
    if (this.instrumentation.captureContent) attributes['gen_ai.input.messages'] = contentOf(prompt);
    return this.tracer.startSpan(series.spanName, { kind: SpanKind.CLIENT, attributes }, this.#spanContext);
  }

  /** Observes one tool execution as an `execute_tool <tool>` span. */
  toolCall<R extends ObservedToolOutcome>(
    call: { name: string; toolCallId: string; input: unknown },
    execute: () => Promise<R>,
  ): Promise<R> {
    if (!this.#spanContext && !this.instrumentation.metrics) return execute();
    return this.#observedToolCall(call, execute);
  }

  async #observedToolCall<R extends ObservedToolOutcome>(
    call: { name: string; toolCallId: string; input: unknown },
    execute: () => Promise<R>,
  ): Promise<R> {
    const metrics = this.instrumentation.metrics;
    const series = this.instrumentation.series.tool(call.name);
    const span = this.#toolSpan(series.spanName, call);
    const startedAt = performance.now();
    let outcome = 'tool_error';
    try {
      const result = await execute();
      outcome = result.ok ? 'ok' : (result.error?.code ?? 'tool_error');
      if (!result.ok) failSpan(span, outcome, result.error?.message);
      else if (this.instrumentation.captureContent)
        span?.setAttribute('gen_ai.tool.call.result', contentOf(result.output));
      return result;
    } catch (error) {
      failSpan(span, outcome, error);
      throw error;
    } finally {
      span?.end();
      if (outcome === 'ok') series.okDuration?.observe(elapsed(startedAt));
      else metrics?.toolDuration.observe({ tool: call.name, outcome }, elapsed(startedAt));
    }
  }

  #toolSpan(name: string, call: { name: string; toolCallId: string; input: unknown }): Span | undefined {
    if (!this.tracer || !this.#spanContext) return undefined;
    const attributes: Attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': call.name,
      'gen_ai.tool.call.id': call.toolCallId,
      'baton.session.id': this.run.sessionId,
      'baton.run.id': this.run.id,
      'baton.run.attempt': this.#attempt,
      'baton.worker.id': this.workerId,
    };
    if (this.instrumentation.captureContent) attributes['gen_ai.tool.call.arguments'] = contentOf(call.input);
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, this.#spanContext);
  }

  /** Counts one admission check (committed or not: a trivial one commits nothing). */
  admitted(verdict: ObservedAdmission): void {
    const metrics = this.instrumentation.metrics;
    if (!metrics) return;
    metrics.admissionChecks.inc({ point: verdict.point });
    for (const clamp of verdict.clamps) metrics.admissionClamps.inc({ invariant: clamp.invariant });
    for (const violation of verdict.violations)
      metrics.admissionRejects.inc({ invariant: violation.invariant });
  }

  #observeEvent(draft: ObservedDraft, metrics: BatonMetrics | undefined): void {
    switch (draft.type) {
      case 'run.started': {
        const data = (draft.data ?? {}) as Record<string, unknown>;
        this.#attempt = typeof data.attempt === 'number' ? data.attempt : this.#attempt;
        this.#agent = typeof data.agent === 'string' ? data.agent : this.#agent;
        this.#agentSeries = this.instrumentation.series.agent(this.#agent);
        this.#startSpan();
        if (this.#attempt === 1) metrics?.runsStarted.inc({ agent: this.#agent });
        // A start past the run's attempt resumes work an earlier claim began.
        else if (this.#attempt > this.run.attempt) metrics?.leaseTakeovers.inc();
        return;
      }
      case 'step.started':
        // A staged start was timed when it was staged (see `staged`); one committed before the
        // model call (after a boundary that read messages) is timed from this commit.
        this.#stepStartedAt ??= performance.now();
        return;
      case 'step.completed':
        if (this.#stepStartedAt !== undefined)
          this.#agentSeries?.stepDuration?.observe(elapsed(this.#stepStartedAt));
        this.#stepStartedAt = undefined;
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        this.#runEnded(draft.type, (draft.data ?? {}) as Record<string, unknown>, metrics);
        return;
    }
  }

  #runEnded(type: string, data: Record<string, unknown>, metrics: BatonMetrics | undefined): void {
    const status = type === 'run.completed' ? 'succeeded' : type === 'run.failed' ? 'failed' : 'cancelled';
    const error = data.error as { code?: string; message?: string } | undefined;
    const code = error?.code ?? '';
    if (status === 'failed') failSpan(this.#span, code, error?.message);
    this.#span?.setAttribute('baton.run.status', status);
    if (!metrics) return;
    metrics.runsEnded.inc({ agent: this.#agent, status, code });
    const startedAt = this.run.startedAt === null ? Number.NaN : Date.parse(this.run.startedAt);
    if (Number.isFinite(startedAt))
      metrics.runDuration.observe(
        { agent: this.#agent, status },
        Math.max(0, (Date.now() - startedAt) / 1000),
      );
  }

  #startSpan(): void {
    if (!this.tracer || this.#span) return;
    const parent = parseTraceparent(this.run.traceparent);
    const parentContext = parent
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: parent.traceId,
          spanId: parent.spanId,
          traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    // The attempt began when its lease was asked for: the claim is its first child.
    this.#span = this.tracer.startSpan(
      `invoke_agent ${this.#agent}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': this.#agent,
          'baton.run.kind': this.run.kind,
          ...this.#ids(),
        },
        ...(this.claim && { startTime: this.claim.startedAt }),
      },
      parentContext,
    );
    this.#spanContext = trace.setSpan(parentContext, this.#span);
    if (this.claim) this.#claimSpan(this.claim);
  }

  #claimSpan(claim: ObservedClaim): void {
    this.tracer
      ?.startSpan(
        'baton.lease.claim',
        {
          kind: SpanKind.INTERNAL,
          startTime: claim.startedAt,
          attributes: {
            'baton.lease.ttl_ms': claim.ttlMs,
            // A start past the run's attempt took over work an earlier claim began.
            'baton.lease.takeover': this.#attempt > this.run.attempt,
            ...this.#ids(),
          },
        },
        this.#spanContext,
      )
      .end(claim.endedAt);
  }

  /** The run's ids, for the two spans made once per attempt (the per-call ones list them inline). */
  #ids(): Attributes {
    return {
      'baton.session.id': this.run.sessionId,
      'baton.run.id': this.run.id,
      'baton.run.attempt': this.#attempt,
      'baton.worker.id': this.workerId,
    };
  }
}

/** `call`, observed (each time it is made) when it is made inside a run attempt. */
export function observedModelCall<R extends ObservedModelResponse>(
  model: ObservedModel,
  prompt: unknown,
  call: () => Promise<R>,
): () => Promise<R> {
  return () => {
    const observer = currentAttempt.get();
    return observer ? observer.modelCall(model, prompt, call) : call();
  };
}

/** Observes a tool call when it is made inside a run attempt; otherwise just executes it. */
export function observeToolCall<R extends ObservedToolOutcome>(
  call: { name: string; toolCallId: string; input: unknown },
  execute: () => Promise<R>,
): Promise<R> {
  const observer = currentAttempt.get();
  return observer ? observer.toolCall(call, execute) : execute();
}

/** Counts an admission check made inside a run attempt (`baton_admission_*_total`). */
export function observeAdmission(verdict: ObservedAdmission): void {
  currentAttempt.get()?.admitted(verdict);
}

function countable(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}

function elapsed(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

function failSpan(span: Span | undefined, code: string, cause: unknown): void {
  if (!span) return;
  const message = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : code;
  span.setAttribute('error.type', code || 'error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(redact(message)) });
}

/** Message contents as a span attribute: JSON, secrets redacted, bounded. */
function contentOf(value: unknown): string {
  const text = JSON.stringify(redact(value)) ?? 'null';
  return text.length > 32_768 ? `${text.slice(0, 32_768)}…` : text;
}
