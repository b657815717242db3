import type {
  LanguageModelV3,
  LanguageModelV3FinishReason,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import { CancelledError } from '../core/errors.js';
import type { FinishReason, ToolCallRecord, Usage } from '../core/events.js';
import { normaliseFinishReason } from './finish-reason.js';
import { costOf } from './pricing.js';

/** Options of {@link callModel}. */
export interface CallModelOptions {
  model: LanguageModelV3;
  /** Passed to the provider as is; the provider must not mutate it. */
  prompt: LanguageModelV3Prompt;
  tools?: LanguageModelV3FunctionTool[];
  signal?: AbortSignal;
  /** Called for every streamed text delta, in order. */
  onTextDelta?: (delta: string) => void;
}

/** One model step's response, as `message.completed` records it. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCallRecord[];
  finishReason: FinishReason;
  usage: Usage;
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
    return { ok: false };
  }
}

function usageOf(
  model: LanguageModelV3,
  usage: LanguageModelV3Usage | undefined,
  metadata?: SharedV3ProviderMetadata,
): Usage {
  const counted = {
    inputTokens: usage?.inputTokens.total ?? 0,
    outputTokens: usage?.outputTokens.total ?? 0,
  };
  const reported = metadata?.baton?.costUsd;
  const costUsd = typeof reported === 'number' ? reported : costOf(model.modelId, counted);
  return costUsd === undefined ? counted : { ...counted, costUsd };
}

/**
 * Streams one model step (`doStream`): forwards text deltas through `onTextDelta` and returns the
 * full text, the tool calls with parsed input, the normalised finish reason and the usage
 * (with `costUsd` from provider metadata or the price table). A stream `error` part is thrown.
 */
export async function callModel(options: CallModelOptions): Promise<ModelResponse> {
  const { model, signal } = options;
  const { stream } = await model.doStream({
    prompt: options.prompt,
    ...(options.tools === undefined || options.tools.length === 0 ? {} : { tools: options.tools }),
    ...(signal === undefined ? {} : { abortSignal: signal }),
  });
  let text = '';
  let malformed = false;
  const toolCalls: ToolCallRecord[] = [];
  let finishReason: LanguageModelV3FinishReason | undefined;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      if (signal?.aborted) throw new CancelledError();
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
        finishReason = part.finishReason;
        usage = usageOf(model, part.usage, part.providerMetadata);
      } else if (part.type === 'error') {
        throw part.error;
      }
    }
  } catch (error) {
    // Stop the provider's stream (and its HTTP request) instead of leaving it to drain.
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
