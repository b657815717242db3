import type {
  LanguageModelV3,
  LanguageModelV3FinishReason,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { ModelPricing } from '../core/agent.js';
import { CancelledError, ModelCallError } from '../core/errors.js';
import type { FinishReason, ToolCallRecord, Usage } from '../core/events.js';
import { normaliseFinishReason } from './finish-reason.js';
import { addCosts, costAt } from './pricing.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import type { StreamTimeouts } from './stream-watchdog.js';
import { StreamWatchdog } from './stream-watchdog.js';

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

/** One model step's response, as `message.completed` records it. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCallRecord[];
  finishReason: FinishReason;
  usage: Usage;
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
 * Parses tool-call input text. Input that is not JSON is kept verbatim as a string and the step's
 * finish reason becomes `malformed`; the loop then answers that call with an `invalid_input` error.
 */
function parseInput(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Malformed arguments are the model's: the loop answers them with `invalid_input`.
    return { ok: false };
  }
}

function usageOf(
  pricing: ModelPricing | undefined,
  usage: LanguageModelV3Usage | undefined,
  metadata?: SharedV3ProviderMetadata,
): Usage {
  const counted = {
    inputTokens: usage?.inputTokens.total ?? 0,
    outputTokens: usage?.outputTokens.total ?? 0,
  };
  const reported = metadata?.baton?.costUsd;
  const costUsd = typeof reported === 'number' ? addCosts(reported) : pricing && costAt(pricing, counted);
  return costUsd === undefined ? counted : { ...counted, costUsd };
}

/**
 * Streams one model step (`doStream`): forwards text deltas through `onTextDelta` and returns the
 * full text, the tool calls with parsed input, the normalised finish reason and the usage
 * (with `costUsd` from provider metadata or the price). A stream `error` part is thrown; a
 * stream that ends without its `finish` part (the connection dropped) is a retryable
 * `model_network_error`, and one that stalls past `timeouts` a retryable `model_timeout`.
 */
export async function callModel(options: CallModelOptions): Promise<ModelResponse> {
  const watchdog = new StreamWatchdog({
    firstByteTimeoutMs: options.timeouts?.firstByteTimeoutMs ?? DEFAULT_RETRY_POLICY.firstByteTimeoutMs,
    idleTimeoutMs: options.timeouts?.idleTimeoutMs ?? DEFAULT_RETRY_POLICY.idleTimeoutMs,
  });
  try {
    return await streamResponse(options, watchdog);
  } finally {
    watchdog.dispose();
  }
}

async function streamResponse(options: CallModelOptions, watchdog: StreamWatchdog): Promise<ModelResponse> {
  const { model, signal } = options;
  const { stream } = await watchdog.guard(
    model.doStream({
      prompt: options.prompt,
      ...(options.tools === undefined || options.tools.length === 0 ? {} : { tools: options.tools }),
      abortSignal: signal === undefined ? watchdog.signal : AbortSignal.any([signal, watchdog.signal]),
    }),
  );
  let text = '';
  let malformed = false;
  const toolCalls: ToolCallRecord[] = [];
  let finishReason: LanguageModelV3FinishReason | undefined;
  let finished = false;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value: part } = await watchdog.guard(reader.read());
      if (done) break;
      if (signal?.aborted) throw new CancelledError();
      // Providers emit `stream-start` as soon as the response headers arrive, before any content.
      if (part.type !== 'stream-start') watchdog.received();
      if (part.type === 'text-delta') {
        text += part.delta;
        options.onTextDelta?.(part.delta);
      } else if (part.type === 'tool-call' && part.providerExecuted !== true) {
        const parsed = parseInput(part.input);
        if (!parsed.ok) malformed = true;
        toolCalls.push({
          toolCallId: part.toolCallId,
          name: part.toolName,
          input: parsed.ok ? parsed.value : part.input,
        });
      } else if (part.type === 'finish') {
        finished = true;
        finishReason = part.finishReason;
        usage = usageOf(options.pricing, part.usage, part.providerMetadata);
      } else if (part.type === 'error') {
        throw part.error;
      }
    }
    if (!finished && !signal?.aborted) throw truncated();
  } catch (error) {
    // Stop the provider's stream (and its HTTP request) instead of leaving it to drain; the
    // error rethrown below is what the caller must hear, not a cancel that failed too.
    await reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
  if (signal?.aborted) throw new CancelledError();
  let normalised = malformed ? 'malformed' : normaliseFinishReason(finishReason);
  // Some OpenAI-compatible servers say `stop` while returning tool calls; the calls are what count.
  if (normalised === 'stop' && toolCalls.length > 0) normalised = 'tool_calls';
  return { text, toolCalls, finishReason: normalised, usage };
}
