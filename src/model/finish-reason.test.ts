import { describe, expect, it } from 'vitest';
import { normaliseFinishReason } from './finish-reason.js';

describe('normaliseFinishReason', () => {
  it.each([
    [{ unified: 'stop', raw: 'stop' }, 'stop'],
    [{ unified: 'stop', raw: 'end_turn' }, 'stop'],
    [{ unified: 'length', raw: 'max_tokens' }, 'length'],
    [{ unified: 'length', raw: 'model_context_window_exceeded' }, 'context_limit'],
    [{ unified: 'tool-calls', raw: 'tool_use' }, 'tool_calls'],
    [{ unified: 'content-filter', raw: 'content_filter' }, 'content_filter'],
    [{ unified: 'content-filter', raw: 'refusal' }, 'refusal'],
    [{ unified: 'stop', raw: 'pause_turn' }, 'pause'],
    [{ unified: 'other', raw: 'MALFORMED_FUNCTION_CALL' }, 'malformed'],
    [{ unified: 'error', raw: undefined }, 'error'],
    [{ unified: 'other', raw: 'something_new' }, 'stop'],
  ] as const)('maps %o to %s', (reason, expected) => {
    expect(normaliseFinishReason(reason)).toBe(expected);
  });

  it('treats a missing finish reason as an error', () => {
    expect(normaliseFinishReason(undefined)).toBe('error');
  });
});
