import type {
  LanguageModelV3,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import type { ModelPricing } from '../core/agent.js';
import { CancelledError, ModelCallError } from '../core/errors.js';
import { watchedCallOptions } from './call-options.js';
import { untouchedParts } from './complete-stream.js';
import type { ModelResponse } from './model-response.js';
import { ModelResponseBuilder } from './model-response.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import type { StreamTimeouts } from './stream-watchdog.js';
import { StreamWatchdog } from './stream-watchdog.js';

export type { ModelResponse };

/** Options of {@link callModel}. */
export interface CallModelOptions {
  model: LanguageModelV3;
  /** Passed to the provider as is; the provider must not mutate it. */
  prompt: LanguageModelV3Prompt;
  tools?: LanguageModelV3FunctionTool[];
  signal?: AbortSignal;
  /** Called for every streamed text delta, in order. */
  onTextDelta?: (delta: string) => void;
  /** This attempt's first-byte and idle timeouts (default: those of `DEFAULT_RETRY_POLICY`, 60 s each). */
  timeouts?: Partial<StreamTimeouts>;
  /** The model's price; without one (and without a cost the provider reports), `costUsd` is left out. */
  pricing?: ModelPricing | undefined;
}

function truncated(): ModelCallError {
  return new ModelCallError(
    'model_network_error',
    'the model stream ended before its finish (connection lost?)',
    {
      retryable: true,
    },
  );
}

/**
 * Streams one model step (`doStream`): forwards text deltas through `onTextDelta` and returns the
 * full text, the tool calls with parsed input, the normalised finish reason and the usage
 * (with `costUsd` from provider metadata or the price). A stream `error` part is thrown; a
 * stream that ends without its `finish` part (the connection dropped) is a retryable
 * `model_network_error`, and one that stalls past `timeouts` a retryable `model_timeout`.
 */
export async function callModel(options: CallModelOptions): Promise<ModelResponse> {
  const watchdog = new StreamWatchdog(
    {
      firstByteTimeoutMs: options.timeouts?.firstByteTimeoutMs ?? DEFAULT_RETRY_POLICY.firstByteTimeoutMs,
      idleTimeoutMs: options.timeouts?.idleTimeoutMs ?? DEFAULT_RETRY_POLICY.idleTimeoutMs,
    },
    options.signal,
  );
  try {
    return await streamResponse(options, watchdog);
  } finally {
    watchdog.dispose();
  }
}

async function streamResponse(options: CallModelOptions, watchdog: StreamWatchdog): Promise<ModelResponse> {
  const { model, signal } = options;
  const callOptions = watchedCallOptions(watchdog, options.prompt, options.tools);
  const result = await watchdog.guard(model.doStream(callOptions));
  const response = new ModelResponseBuilder(options.pricing, options.onTextDelta);
  const parts = untouchedParts(result);
  if (parts === undefined) await readStream(result.stream, response, watchdog, signal);
  else takeParts(parts, response, signal);
  if (signal?.aborted) throw new CancelledError();
  if (!response.finished) throw truncated();
  return response.build();
}

/** Reads a provider's stream into `response`; on failure, cancels it (and its HTTP request). */
async function readStream(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  response: ModelResponseBuilder,
  watchdog: StreamWatchdog,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value: part } = await watchdog.guard(reader.read());
      if (done) return;
      if (signal?.aborted) throw new CancelledError();
      // Providers emit `stream-start` as soon as the response headers arrive, before any content.
      if (part.type !== 'stream-start') watchdog.received();
      response.add(part);
    }
  } catch (error) {
    // Stop the provider's stream (and its HTTP request) instead of leaving it to drain; the
    // error rethrown below is what the caller must hear, not a cancel that failed too.
    await reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Takes the parts of a response that was complete before it was asked for: the same parts in the
 * same order as its stream would give, without the stream. Nothing is left to wait for, so the
 * watchdog has nothing to time.
 */
function takeParts(
  parts: readonly LanguageModelV3StreamPart[],
  response: ModelResponseBuilder,
  signal: AbortSignal | undefined,
): void {
  for (const part of parts) {
    if (signal?.aborted) throw new CancelledError();
    response.add(part);
  }
}
