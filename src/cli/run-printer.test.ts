import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../core/events.js';
import { RunPrinter } from './run-printer.js';

const usage = { inputTokens: 1, outputTokens: 1 };
const ids = { sessionId: 'ses_p', runId: 'run_p', ts: '2026-12-04T00:00:00.000Z', hash: '' };

function event(seq: number, type: string, data: Record<string, unknown>): StreamEvent {
  return { seq, type, data, ...ids } as StreamEvent;
}

describe('RunPrinter on a terminal', () => {
  let printer: RunPrinter | undefined;
  afterEach(() => printer?.close());

  /** What the printer shows (the spinner's last frame included) after each group of events. */
  function shownAfter(groups: readonly StreamEvent[][]): string[] {
    const written: string[] = [];
    printer = new RunPrinter({ write: (text) => written.push(text), tty: true });
    return groups.map((group) => {
      written.length = 0;
      for (const each of group) printer?.event(each);
      return written.join('');
    });
  }

  // A step's start commits with its model response, an idempotent tool's start with its result,
  // so the events that say a model or a tool is at work arrive once it is done: the spinner is
  // started by what comes before the work.
  it('shows the spinner while the model thinks and while tools run, between the commits that bracket them', () => {
    const call = { toolCallId: 'call_1', name: 'lookup', input: { city: 'Paris' } };
    const [started, responded, stepEnded, ended] = shownAfter([
      [event(0, 'run.started', { agent: 'a', attempt: 1 })],
      [
        event(1, 'step.started', { step: 0 }),
        event(2, 'message.completed', {
          role: 'assistant',
          text: '',
          toolCalls: [call],
          finishReason: 'tool_calls',
          usage,
        }),
      ],
      [
        event(3, 'tool.started', call),
        event(4, 'tool.result', { ...call, ok: true, output: {}, durationMs: 80 }),
        event(5, 'step.completed', { step: 0 }),
      ],
      [
        event(6, 'step.started', { step: 1 }),
        event(7, 'message.completed', {
          role: 'assistant',
          text: 'done',
          toolCalls: [],
          finishReason: 'stop',
          usage,
        }),
        event(8, 'step.completed', { step: 1 }),
        event(9, 'run.completed', { status: 'succeeded', text: 'done', usage }),
      ],
    ]);
    expect(started).toMatch(/⠋ thinking/);
    expect(responded).toMatch(/⠋ step 0 · running lookup/);
    expect(stepEnded).toMatch(/⠋ step 1 · thinking/);
    // The run's end leaves no spinner running.
    expect(ended?.endsWith('\r\x1b[2K')).toBe(true);
  });
});
