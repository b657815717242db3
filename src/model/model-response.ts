import type {
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { ModelPricing } from '../core/agent.js';
import type { FinishReason, ToolCallRecord, Usage } from '../core/events.js';
import { normaliseFinishReason } from './finish-reason.js';
import { addCosts, costAt } from './pricing.js';

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
 * Builds one model step's response from its stream parts, taken in order: text deltas are
 * forwarded through `onTextDelta`, tool calls get their input parsed, the `finish` part gives the
 * finish reason and the usage (with `costUsd` from provider metadata or the price). Parts of
 * other types carry nothing Baton records.
 */
export class ModelResponseBuilder {
  /** Whether the `finish` part arrived; a stream that ends without it was cut short. */
  finished = false;
  private text = '';
  private malformed = false;
  private readonly toolCalls: ToolCallRecord[] = [];
  private finishReason: LanguageModelV3FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly pricing: ModelPricing | undefined,
    private readonly onTextDelta: ((delta: string) => void) | undefined,
  ) {}

  /** Takes the next part; an `error` part is thrown. */
  add(part: LanguageModelV3StreamPart): void {
    if (part.type === 'text-delta') {
      this.text += part.delta;
      this.onTextDelta?.(part.delta);
    } else if (part.type === 'tool-call' && part.providerExecuted !== true) {
      const parsed = parseInput(part.input);
      if (!parsed.ok) this.malformed = true;
      this.toolCalls.push({
        toolCallId: part.toolCallId,
        name: part.toolName,
        input: parsed.ok ? parsed.value : part.input,
      });
    } else if (part.type === 'finish') {
      this.finished = true;
      this.finishReason = part.finishReason;
      this.usage = usageOf(this.pricing, part.usage, part.providerMetadata);
    } else if (part.type === 'error') {
      throw part.error;
    }
  }

  /** The response of the parts taken so far. */
  build(): ModelResponse {
    const { toolCalls } = this;
    let finishReason = this.malformed ? 'malformed' : normaliseFinishReason(this.finishReason);
    // Some OpenAI-compatible servers say `stop` while returning tool calls; the calls are what count.
    if (finishReason === 'stop' && toolCalls.length > 0) finishReason = 'tool_calls';
    const usage = this.usage ?? { inputTokens: 0, outputTokens: 0 };
    return { text: this.text, toolCalls, finishReason, usage };
  }
}
