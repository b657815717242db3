import type { Usage } from '../../core/events.js';
import {
  countField,
  recordField,
  stringField,
  type VendorEvent,
  type VendorStreamTranslator,
} from './vendor-event.js';

/**
 * Codex's `codex exec --json` stream: `item.started` / `item.completed` of `agent_message`,
 * `command_execution`, `file_change`, `mcp_tool_call`... items, `turn.completed` with `usage`,
 * and `turn.failed` / `error` on failure. Codex reports no cost, only tokens.
 */
export function codexTranslator(): VendorStreamTranslator {
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let lastText = '';
  const started = new Set<string>();
  return {
    translate(line) {
      const item = recordField(line, 'item');
      switch (line.type) {
        case 'item.started':
          return item && isTool(item) ? toolStarted(item, started) : [];
        case 'item.completed': {
          if (!item) return [];
          if (item.type === 'agent_message') {
            lastText = stringField(item, 'text');
            return [
              { type: 'message', text: lastText, toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 } },
            ];
          }
          if (!isTool(item)) return [];
          return [
            ...(started.has(stringField(item, 'id')) ? [] : toolStarted(item, started)),
            toolCompleted(item),
          ];
        }
        case 'turn.completed': {
          const turn = recordField(line, 'usage');
          usage = {
            inputTokens: usage.inputTokens + countField(turn, 'input_tokens'),
            outputTokens: usage.outputTokens + countField(turn, 'output_tokens'),
          };
          return [
            { type: 'spent', usage },
            { type: 'finished', text: lastText, usage },
          ];
        }
        case 'turn.failed':
          return [failed(stringField(recordField(line, 'error'), 'message', 'the turn failed'), usage)];
        case 'error':
          return [failed(stringField(line, 'message', 'Codex reported an error'), usage)];
        default:
          return [];
      }
    },
  };
}

function isTool(item: Record<string, unknown>): boolean {
  return item.type !== 'agent_message' && item.type !== 'reasoning' && item.type !== 'todo_list';
}

function toolName(item: Record<string, unknown>): string {
  return item.type === 'mcp_tool_call'
    ? stringField(item, 'tool', 'mcp_tool_call')
    : stringField(item, 'type');
}

function toolInput(item: Record<string, unknown>): unknown {
  if (item.type === 'command_execution') return { command: item.command };
  if (item.type === 'file_change') return { changes: item.changes };
  return item.arguments ?? {};
}

function toolStarted(item: Record<string, unknown>, started: Set<string>): VendorEvent[] {
  const toolCallId = stringField(item, 'id');
  started.add(toolCallId);
  return [
    {
      type: 'message',
      text: '',
      toolCalls: [{ toolCallId, name: toolName(item), input: toolInput(item) }],
      usage: { inputTokens: 0, outputTokens: 0 },
    },
  ];
}

function toolCompleted(item: Record<string, unknown>): VendorEvent {
  const exitCode = item.exit_code;
  const ok = item.status !== 'failed' && (typeof exitCode !== 'number' || exitCode === 0);
  return {
    type: 'tool.result',
    toolCallId: stringField(item, 'id'),
    name: toolName(item),
    ok,
    output:
      item.type === 'command_execution'
        ? { exitCode, output: item.aggregated_output }
        : (item.result ?? null),
  };
}

function failed(message: string, usage: Usage): VendorEvent {
  return { type: 'finished', text: '', usage, error: { code: 'agent_failed', message } };
}
