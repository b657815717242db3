// What the instrumentation reads of runs, claims, events, model and tool calls and admission
// verdicts: structural shapes, so that telemetry, below the store and the loop, needs neither.

/** The run an execution works on, as the instrumentation needs it. */
export interface ObservedRun {
  id: string;
  sessionId: string;
  agent: string;
  kind: string;
  attempt: number;
  traceparent: string | null;
  startedAt: string | null;
}

/** How the lease of an execution was taken: asked for at `startedAt`, granted by `endedAt` (epoch ms). */
export interface ObservedClaim {
  startedAt: number;
  endedAt: number;
  ttlMs: number;
}

/** A committed event as the instrumentation reads it (type and data only). */
export interface ObservedDraft {
  type: string;
  data?: unknown;
}

/** The model a call goes to (a `LanguageModelV3`: `provider` like `openai.responses`). */
export interface ObservedModel {
  provider: string;
  modelId: string;
}

/** What a model call returned, as far as telemetry cares. */
export interface ObservedModelResponse {
  text: string;
  toolCalls: readonly unknown[];
  finishReason: string;
  usage: { inputTokens: number; outputTokens: number; costUsd?: number };
}

/** An admission verdict (`admission.checked`), as the metrics count it. */
export interface ObservedAdmission {
  point: string;
  clamps: readonly { invariant: string }[];
  violations: readonly { invariant: string }[];
}

/** What a tool call returned. */
export interface ObservedToolOutcome {
  ok: boolean;
  output: unknown;
  error?: { code: string; message: string };
}
