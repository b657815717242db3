import type { ToolCallRecord, Usage } from '../../core/events.js';
import {
  countField,
  recordField,
  stringField,
  type VendorEvent,
  type VendorStreamTranslator,
} from './vendor-event.js';

/**
 * Claude Code's `claude -p --output-format stream-json --verbose` stream: `assistant` messages
 * (text and `tool_use` blocks), `user` messages carrying `tool_result` blocks, and one final
 * `result` (`subtype` `success`, `error_max_turns`, `error_during_execution`...) with
 * `total_cost_usd` and `usage`.
 */
export function claudeCodeTranslator(): VendorStreamTranslator {
  const toolNames = new Map<string, string>();
  return {
    translate(line) {
      switch (line.type) {
        case 'assistant':
          return assistantMessage(line, toolNames);
        case 'user':
          return toolResults(line, toolNames);
        case 'result':
          return [finished(line)];
        default:
          return [];
      }
    },
  };
}

function contentBlocks(line: Record<string, unknown>): Record<string, unknown>[] {
  const content = recordField(line, 'message')?.content;
  return Array.isArray(content)
    ? content.filter((block): block is Record<string, unknown> => typeof block === 'object' && block !== null)
    : [];
}

function usageOf(value: Record<string, unknown> | undefined, costUsd?: number): Usage {
  return {
    inputTokens: countField(value, 'input_tokens') + countField(value, 'cache_read_input_tokens'),
    outputTokens: countField(value, 'output_tokens'),
    ...(costUsd !== undefined && { costUsd }),
  };
}

function assistantMessage(line: Record<string, unknown>, toolNames: Map<string, string>): VendorEvent[] {
  const blocks = contentBlocks(line);
  const text = blocks
    .filter((block) => block.type === 'text')
    .map((block) => stringField(block, 'text'))
    .join('');
  const toolCalls: ToolCallRecord[] = blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      toolCallId: stringField(block, 'id'),
      name: stringField(block, 'name'),
      input: block.input,
    }));
  for (const call of toolCalls) toolNames.set(call.toolCallId, call.name);
  if (text === '' && toolCalls.length === 0) return [];
  return [
    { type: 'message', text, toolCalls, usage: usageOf(recordField(recordField(line, 'message'), 'usage')) },
  ];
}

function toolResults(line: Record<string, unknown>, toolNames: Map<string, string>): VendorEvent[] {
  return contentBlocks(line)
    .filter((block) => block.type === 'tool_result')
    .map((block) => {
      const toolCallId = stringField(block, 'tool_use_id');
      return {
        type: 'tool.result' as const,
        toolCallId,
        name: toolNames.get(toolCallId) ?? 'unknown',
        ok: block.is_error !== true,
        output: block.content,
      };
    });
}

function finished(line: Record<string, unknown>): VendorEvent {
  const cost = line.total_cost_usd;
  const usage = usageOf(recordField(line, 'usage'), typeof cost === 'number' ? cost : undefined);
  const text = stringField(line, 'result');
  const subtype = stringField(line, 'subtype', 'success');
  if (subtype === 'success' && line.is_error !== true) return { type: 'finished', text, usage };
  return {
    type: 'finished',
    text,
    usage,
    error:
      subtype === 'error_max_turns'
        ? {
            code: 'max_steps',
            message: `Claude Code stopped at its turn limit after ${countField(line, 'num_turns')} turns`,
          }
        : { code: 'agent_failed', message: text === '' ? `Claude Code ended with ${subtype}` : text },
  };
}
