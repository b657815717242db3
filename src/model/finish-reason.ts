import type { LanguageModelV3FinishReason } from '@ai-sdk/provider';
import type { FinishReason } from '../core/events.js';

// Provider-specific raw reasons that carry more meaning than the AI SDK's unified value.
const RAW_REASONS: Readonly<Record<string, FinishReason>> = {
  model_context_window_exceeded: 'context_limit',
  context_length_exceeded: 'context_limit',
  context_window_exceeded: 'context_limit',
  refusal: 'refusal',
  pause_turn: 'pause',
  malformed_function_call: 'malformed',
  MALFORMED_FUNCTION_CALL: 'malformed',
  cancelled: 'cancelled',
};

const UNIFIED_REASONS: Readonly<Record<LanguageModelV3FinishReason['unified'], FinishReason>> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
  error: 'error',
  // `other` says the provider had no better word; the loop decides by the presence of tool calls,
  // so treating it as a normal stop is the least surprising reading.
  other: 'stop',
};

/** Maps an AI SDK V3 finish reason (unified + raw) to Baton's normalised {@link FinishReason}. */
export function normaliseFinishReason(reason: LanguageModelV3FinishReason | undefined): FinishReason {
  if (reason === undefined) return 'error';
  const fromRaw = reason.raw === undefined ? undefined : RAW_REASONS[reason.raw];
  return fromRaw ?? UNIFIED_REASONS[reason.unified] ?? 'stop';
}
