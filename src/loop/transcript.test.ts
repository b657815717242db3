import { describe, expect, it } from 'vitest';
import type { BatonEvent, EventDraft } from '../core/events.js';
import { sealEvent } from '../core/events.js';
import { Transcript } from './transcript.js';

/** Seals drafts into a chain; each draft may name its run. */
function log(...drafts: (EventDraft & { runId?: string })[]): BatonEvent[] {
  const events: BatonEvent[] = [];
  for (const { runId, ...draft } of drafts) {
    events.push(
      sealEvent(events.at(-1), {
        sessionId: 'ses_1',
        runId: runId ?? 'run_1',
        ts: '2025-01-01T00:00:00.000Z',
        ...draft,
      } as never),
    );
  }
  return events;
}

const user = (text: string, runId?: string) =>
  ({
    type: 'message.received',
    data: { role: 'user', text },
    ...(runId === undefined ? {} : { runId }),
  }) as const;
const assistant = (text: string, calls: string[] = [], runId?: string) =>
  ({
    type: 'message.completed',
    data: {
      role: 'assistant',
      text,
      toolCalls: calls.map((id) => ({ toolCallId: id, name: 'lookup', input: { id } })),
      finishReason: calls.length > 0 ? 'tool_calls' : 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    },
    ...(runId === undefined ? {} : { runId }),
  }) as const;
const result = (id: string) =>
  ({
    type: 'tool.result',
    data: { toolCallId: id, name: 'lookup', ok: true, output: id, durationMs: 1 },
  }) as const;

const roles = (transcript: Transcript) => transcript.prompt.map((message) => message.role);

/** `draft`, a response whose request had read the session's messages up to seq `through`. */
const heard = <D extends ReturnType<typeof assistant>>(draft: D, through: number): D => ({
  ...draft,
  data: { ...draft.data, messagesThrough: through },
});

/** The prompt after the system message as `role: text` (a tool message as its result count). */
const said = (transcript: Transcript) =>
  transcript.prompt.slice(1).map((message) => {
    const part = Array.isArray(message.content) ? message.content[0] : undefined;
    return message.role === 'tool'
      ? `tool: ${message.content.length}`
      : `${message.role}: ${part && 'text' in part ? part.text : ''}`;
  });

describe('Transcript: a message that came while the model answered', () => {
  // seq 0 'early', seq 1 'late' (committed during the call), seq 2 the response, which had read through seq 0.
  it('follows the answer it overtook in the log, as it did in the run that read it', () => {
    const transcript = Transcript.fromEvents(
      log(user('early'), user('late'), heard(assistant('echo'), 0)),
      'run_1',
    );
    expect(said(transcript)).toEqual(['user: early', 'assistant: echo', 'user: late']);
  });

  it('follows the results of a response with tool calls that it overtook', () => {
    const transcript = Transcript.fromEvents(
      log(user('early'), user('late'), heard(assistant('', ['a']), 0), result('a')),
      'run_1',
    );
    expect(said(transcript)).toEqual(['user: early', 'assistant: ', 'tool: 1', 'user: late']);
  });

  it('holds a background report that came with it until the answer after it, as the turn does', () => {
    const report = {
      type: 'message.received',
      data: { role: 'user', text: 'report', priority: 'background' },
    } as const;
    const transcript = Transcript.fromEvents(
      log(user('early'), user('late'), report, heard(assistant('first'), 0), heard(assistant('second'), 3)),
      'run_1',
    );
    expect(said(transcript)).toEqual([
      'user: early',
      'assistant: first',
      'user: late',
      'assistant: second',
      'user: report',
    ]);
  });

  it('is not counted in the kept messages of a compaction made while it came', () => {
    const compacted = (through: number) =>
      ({
        type: 'transcript.compacted',
        data: {
          upToSeq: 3,
          summary: 'S',
          tokensBefore: 9,
          tokensAfter: 3,
          keptMessages: 2,
          messagesThrough: through,
        },
      }) as const;
    // Live, the two kept were 'b' and its answer; 'late' (seq 4) came during the summary.
    const transcript = Transcript.fromEvents(
      log(user('a'), assistant('x'), user('b'), assistant('y'), user('late'), compacted(2)),
      'run_1',
    );
    expect(said(transcript)).toEqual([
      'user: Summary of the conversation so far:\nS',
      'user: b',
      'assistant: y',
      'user: late',
    ]);
  });

  it('comes after the mark of a handoff its response asked for, as live', () => {
    const handoff = { type: 'handoff.occurred', data: { from: 'a', to: 'b' } } as const;
    const transcript = Transcript.fromEvents(
      log(user('early'), user('late'), heard(assistant('', ['t']), 0), result('t'), handoff),
      'run_1',
    );
    expect(said(transcript)).toEqual(['user: early', 'assistant: ', 'tool: 1', 'user: late']);
    // Live the handoff committed before the turn read 'late': the transfer's filter leaves it alone.
    expect(transcript.handoffMark).toBe(4);
  });

  it('is cut out of a handoff a resumed step makes, as every later rebuild cuts it', () => {
    // The step waited (an approval) with 'late' delivered meanwhile; the resumed attempt ran the
    // transfer: its filter's history ends where a rebuild's mark will.
    const transcript = Transcript.fromEvents(
      log(user('early'), heard(assistant('', ['t']), 0), user('late'), result('t')),
      'run_1',
    );
    expect(said(transcript)).toEqual(['user: early', 'assistant: ', 'tool: 1', 'user: late']);
    expect(transcript.lengthBeforeLate()).toBe(4);
  });

  it('stays where the log has it when the response had read it, or says nothing (an older log)', () => {
    const read = Transcript.fromEvents(
      log(user('early'), user('also'), heard(assistant('echo'), 1)),
      'run_1',
    );
    expect(said(read)).toEqual(['user: early', 'user: also', 'assistant: echo']);
    const older = Transcript.fromEvents(log(user('early'), user('late'), assistant('echo')), 'run_1');
    expect(said(older)).toEqual(['user: early', 'user: late', 'assistant: echo']);
  });
});

describe('Transcript', () => {
  it('groups the results of one step into one tool message after the assistant message', () => {
    const transcript = Transcript.fromEvents(
      log(user('hi'), assistant('', ['a', 'b']), result('b'), result('a')),
      'run_1',
    );
    expect(roles(transcript)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(transcript.prompt[3]?.content).toHaveLength(2);
  });

  it('places a user message committed before the tool results after them', () => {
    const transcript = Transcript.fromEvents(
      log(user('hi'), assistant('', ['a']), user('also'), result('a')),
      'run_1',
    );
    expect(roles(transcript)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
  });

  it('keeps calls of the current run pending so the loop can resume them', () => {
    const transcript = Transcript.fromEvents(log(user('hi'), assistant('', ['a'])), 'run_1');
    expect(transcript.pendingCalls).toBe(1);
    expect(roles(transcript)).toEqual(['system', 'user', 'assistant']);
  });

  it('answers calls an earlier run left without results with interrupted', () => {
    const events = log(
      user('hi', 'run_0'),
      assistant('', ['a'], 'run_0'),
      { type: 'run.failed', data: { error: { code: 'model_error', message: 'y' } }, runId: 'run_0' },
      user('again', 'run_1'),
    );
    const transcript = Transcript.fromEvents(events, 'run_1');
    expect(roles(transcript)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(transcript.prompt[3]).toMatchObject({
      content: [{ toolCallId: 'a', output: { type: 'error-json', value: { code: 'interrupted' } } }],
    });
  });

  it('does not close the calls of a failed attempt of the current run, which a retry resumes', () => {
    const events = log(user('hi'), assistant('', ['a']), {
      type: 'run.failed',
      data: { error: { code: 'model_error', message: 'y' } },
    });
    expect(Transcript.fromEvents(events, 'run_1').pendingCalls).toBe(1);
  });

  it('adds a drained user message only once', () => {
    const events = log(user('hi'));
    const transcript = Transcript.fromEvents(events, 'run_1');
    expect(transcript.addUserMessage(events[0] as BatonEvent<'message.received'>)).toBe(false);
    expect(roles(transcript)).toEqual(['system', 'user']);
  });

  it('replaces the system message with the active agent instructions', () => {
    const transcript = Transcript.fromEvents([], 'run_1');
    transcript.setInstructions('Be brief.');
    expect(transcript.prompt[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });
});

describe('Transcript compaction', () => {
  it('replaces all but the kept messages with the summary, never separating results from their call', () => {
    const transcript = Transcript.fromEvents(
      log(
        user('hi'),
        assistant('', ['a']),
        result('a'),
        assistant('', ['b']),
        result('b'),
        assistant('done'),
        {
          type: 'transcript.compacted',
          // Two kept messages would start at b's results: the cut moves back to b's call.
          data: { upToSeq: 5, summary: 'they said hi', tokensBefore: 100, tokensAfter: 40, keptMessages: 2 },
        },
      ),
      'run_1',
    );
    expect(roles(transcript)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(transcript.prompt[1]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Summary of the conversation so far:\nthey said hi' }],
    });
  });
});
