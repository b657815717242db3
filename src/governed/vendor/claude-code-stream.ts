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
 * `total_cost_usd`, `usage` and per-model `modelUsage`.
 *
 * The real CLI (2.1) writes one `assistant` line per content block, each repeating the
 * message's `id`: a turn that says something and then calls a tool is two lines. They are
 * joined into one message — one step, `finishReason` `tool_calls` — which is complete when a
 * line of another message arrives or the stream ends. A message that calls a tool is also let
 * go when the stream goes quiet (its tool is running), so `tool.started` is recorded while the
 * tool runs, not when it is done; a parallel call whose line comes later is then a message of
 * its own.
 */
export function claudeCodeTranslator(): VendorStreamTranslator {
  const toolNames = new Map<string, string>();
  let pending: PendingMessage | undefined;
  const flush = (quiet = false): VendorEvent[] => {
    if (quiet && !pending?.blocks.some((block) => block.type === 'tool_use')) return [];
    const message = pending;
    pending = undefined;
    return message ? messageOf(message) : [];
  };
  return {
    translate(line) {
      if (line.type === 'assistant') {
        const message = recordField(line, 'message');
        const id = stringField(message, 'id');
        // Lines without an id (older transcripts) are each a message of their own.
        const earlier = id !== '' && pending?.id === id ? [] : flush();
        pending ??= { id, blocks: [], usage: undefined };
        pending.blocks.push(...contentBlocks(line));
        pending.usage = recordField(message, 'usage') ?? pending.usage;
        for (const block of contentBlocks(line))
          if (block.type === 'tool_use') toolNames.set(stringField(block, 'id'), stringField(block, 'name'));
        return earlier;
      }
      const earlier = flush();
      switch (line.type) {
        case 'user':
          return [...earlier, ...toolResults(line, toolNames)];
        case 'result':
          return [...earlier, finished(line)];
        case 'system':
          return [...earlier, ...refusedKey(line)];
        default:
          return earlier;
      }
    },
    flush,
  };
}

/** An assistant message whose content blocks are still arriving, one line each. */
interface PendingMessage {
  id: string;
  blocks: Record<string, unknown>[];
  /** As streamed: the snapshot taken when the message started (its output tokens are not final). */
  usage: Record<string, unknown> | undefined;
}

function contentBlocks(line: Record<string, unknown>): Record<string, unknown>[] {
  const content = recordField(line, 'message')?.content;
  return Array.isArray(content)
    ? content.filter((block): block is Record<string, unknown> => typeof block === 'object' && block !== null)
    : [];
}

function usageOf(value: Record<string, unknown> | undefined, costUsd?: number): Usage {
  return {
    inputTokens:
      countField(value, 'input_tokens') +
      countField(value, 'cache_read_input_tokens') +
      countField(value, 'cache_creation_input_tokens'),
    outputTokens: countField(value, 'output_tokens'),
    ...(costUsd !== undefined && { costUsd }),
  };
}

/**
 * The run's tokens from the final result. Its `usage` counts the main model only, while
 * `total_cost_usd` also pays for the side calls Claude Code makes to a small model (a title,
 * say): `modelUsage`, per model, counts them all, so tokens and cost describe the same calls.
 */
function resultUsage(line: Record<string, unknown>, costUsd: number | undefined): Usage {
  const perModel = Object.values(recordField(line, 'modelUsage') ?? {}).filter(
    (value): value is Record<string, unknown> => typeof value === 'object' && value !== null,
  );
  if (perModel.length === 0) return usageOf(recordField(line, 'usage'), costUsd);
  const sum = (key: string) => perModel.reduce((total, model) => total + countField(model, key), 0);
  return {
    inputTokens: sum('inputTokens') + sum('cacheReadInputTokens') + sum('cacheCreationInputTokens'),
    outputTokens: sum('outputTokens'),
    ...(costUsd !== undefined && { costUsd }),
  };
}

/** The joined message, or nothing when it carried neither text nor tool calls (thinking only). */
function messageOf(message: PendingMessage): VendorEvent[] {
  const text = message.blocks
    .filter((block) => block.type === 'text')
    .map((block) => stringField(block, 'text'))
    .join('');
  const toolCalls: ToolCallRecord[] = message.blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      toolCallId: stringField(block, 'id'),
      name: stringField(block, 'name'),
      input: block.input,
    }));
  if (text === '' && toolCalls.length === 0) return [];
  return [{ type: 'message', text, toolCalls, usage: usageOf(message.usage) }];
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
  const usage = resultUsage(line, typeof cost === 'number' ? cost : undefined);
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

/** HTTP statuses that no retry can fix: the released key is wrong or lacks the permission. */
const REFUSED_KEY_STATUSES = new Set([401, 403]);

/**
 * Claude Code retries every failed API call, a refused key included, up to 10 times over
 * minutes (`system` `api_retry` lines). A 401 or 403 will not get better: the run fails at the
 * first such retry, saying which status came back.
 */
function refusedKey(line: Record<string, unknown>): VendorEvent[] {
  if (line.subtype !== 'api_retry' || !REFUSED_KEY_STATUSES.has(countField(line, 'error_status'))) return [];
  const status = countField(line, 'error_status');
  return [
    {
      type: 'finished',
      text: '',
      usage: { inputTokens: 0, outputTokens: 0 },
      error: {
        code: 'agent_failed',
        message: `Claude Code's model API refused its key (HTTP ${status} ${stringField(line, 'error', 'error')}); check the released ANTHROPIC_API_KEY and the API's address`,
      },
      stop: true,
    },
  ];
}
