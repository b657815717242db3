import type { Usage } from '../../core/events.js';
import {
  countField,
  recordField,
  stringField,
  type VendorEvent,
  type VendorStreamTranslator,
} from './vendor-event.js';

/**
 * OpenCode's `opencode run --format json` stream: `text` parts, `tool_use` parts whose
 * `state.status` is `completed` or `error` (with `input` and `output`), `step_finish` parts
 * with `tokens` and `cost` per step (`reason` `stop` on the last), and `error` events.
 */
export function opencodeTranslator(): VendorStreamTranslator {
  let usage: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let text = '';
  return {
    translate(line) {
      const part = recordField(line, 'part');
      switch (line.type) {
        case 'text':
          text = stringField(part, 'text');
          return [{ type: 'message', text, toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 } }];
        case 'tool_use':
          return part ? toolUse(part) : [];
        case 'step_finish': {
          const tokens = recordField(part, 'tokens');
          usage = {
            inputTokens: usage.inputTokens + countField(tokens, 'input'),
            outputTokens: usage.outputTokens + countField(tokens, 'output'),
            costUsd: (usage.costUsd ?? 0) + countField(part, 'cost'),
          };
          const spent: VendorEvent = { type: 'spent', usage };
          return stringField(part, 'reason') === 'stop'
            ? [spent, { type: 'finished', text, usage }]
            : [spent];
        }
        case 'error': {
          const error = recordField(line, 'error');
          const message =
            stringField(recordField(error, 'data'), 'message') ||
            stringField(error, 'message') ||
            stringField(line, 'message', 'OpenCode reported an error');
          return [{ type: 'finished', text, usage, error: { code: 'agent_failed', message } }];
        }
        default:
          return [];
      }
    },
  };
}

function toolUse(part: Record<string, unknown>): VendorEvent[] {
  const state = recordField(part, 'state');
  const status = stringField(state, 'status');
  if (status !== 'completed' && status !== 'error') return [];
  const toolCallId = stringField(part, 'callID', stringField(part, 'id'));
  const name = stringField(part, 'tool');
  return [
    {
      type: 'message',
      text: '',
      toolCalls: [{ toolCallId, name, input: state?.input ?? {} }],
      usage: { inputTokens: 0, outputTokens: 0 },
    },
    {
      type: 'tool.result',
      toolCallId,
      name,
      ok: status === 'completed',
      output: status === 'completed' ? (state?.output ?? null) : stringField(state, 'error'),
    },
  ];
}
