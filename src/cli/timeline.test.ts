import { describe, expect, it } from 'vitest';
import type { BatonEvent } from '../core/events.js';
import { drawTimeline } from './timeline.js';

const RUN = 'run_timeline';
const usage = { inputTokens: 3, outputTokens: 2 };

/** The log of one attempt, each event at `ms` after the attempt's start, as its commit stamped it. */
function log(entries: readonly [number, string, Record<string, unknown>][]): BatonEvent[] {
  return entries.map(
    ([ms, type, data], seq) =>
      ({
        seq,
        sessionId: 'ses_timeline',
        runId: RUN,
        type,
        ts: new Date(ms).toISOString(),
        data,
        hash: '',
      }) as BatonEvent,
  );
}

/** The drawn length (ms) of each bar whose label matches, in order. */
function lengths(events: readonly BatonEvent[], label: RegExp): number[] {
  return drawTimeline(events, RUN)
    .split('\n')
    .filter((line) => label.test(line))
    .map((line) => {
      const [, amount, unit] = /\| +(\d+(?:\.\d+)?) (ms|s)\b/.exec(line) ?? [];
      return Number(amount) * (unit === 's' ? 1000 : 1);
    });
}

describe('drawTimeline', () => {
  // A step's start commits with its model response, an idempotent tool's start with its result:
  // one timestamp each, after the work they began.
  const twoSteps = log([
    [0, 'run.started', { attempt: 1, worker: 'wrk_a' }],
    [1000, 'step.started', { step: 0 }],
    [1000, 'message.completed', { usage, finishReason: 'tool_calls', toolCalls: [], text: '' }],
    [1300, 'tool.started', { toolCallId: 'call_1', name: 'lookup', input: {} }],
    [1300, 'tool.result', { toolCallId: 'call_1', name: 'lookup', ok: true, output: {}, durationMs: 300 }],
    [1300, 'step.completed', { step: 0 }],
    // A follow-up message that another process committed into the run during the next model call.
    [1900, 'message.received', { role: 'user', text: 'also this' }],
    [2300, 'step.started', { step: 1 }],
    [2300, 'message.completed', { usage, finishReason: 'stop', toolCalls: [], text: 'done' }],
    [2300, 'step.completed', { step: 1 }],
    [2300, 'run.completed', { status: 'succeeded', text: 'done', usage }],
  ]);

  it('draws a step and its model call from the end of the step before, a tool back by its durationMs', () => {
    expect(lengths(twoSteps, /^step \d+ /)).toEqual([1300, 1000]);
    expect(lengths(twoSteps, /^ {2}chat /)).toEqual([1000, 1000]);
    expect(lengths(twoSteps, /^ {2}tool lookup /)).toEqual([300]);
    expect(lengths(twoSteps, /^attempt 1 /)).toEqual([2300]);
  });

  it('reads a tool result without a usable durationMs as lasting from its start', () => {
    const events = log([
      [0, 'run.started', { attempt: 1 }],
      [10, 'step.started', { step: 0 }],
      [10, 'message.completed', { usage, finishReason: 'tool_calls', toolCalls: [], text: '' }],
      [40, 'tool.started', { toolCallId: 'call_1', name: 'lookup', input: {} }],
      [90, 'tool.result', { toolCallId: 'call_1', name: 'lookup', ok: true, output: {} }],
    ]);
    expect(lengths(events, /^ {2}tool lookup /)).toEqual([50]);
    expect(drawTimeline(events, RUN)).not.toContain('NaN');
  });
});
