import { describe, expect, it } from 'vitest';
import { claudeCodeTranslator } from './claude-code-stream.js';

const assistant = (id: string, block: Record<string, unknown>) => ({
  type: 'assistant',
  message: { id, content: [block], usage: { input_tokens: 10, output_tokens: 1 } },
});
const text = (value: string) => ({ type: 'text', text: value });
const toolUse = (id: string) => ({ type: 'tool_use', id, name: 'Read', input: { file_path: id } });

// The shape Claude Code 2.1 streams: one assistant line per content block, same message id.
describe('the Claude Code stream translator', () => {
  it('joins the lines of one message and lets it go when a line of another arrives', () => {
    const translator = claudeCodeTranslator();
    expect(translator.translate(assistant('msg_1', text('Looking.')))).toEqual([]);
    expect(translator.translate(assistant('msg_1', toolUse('t1')))).toEqual([]);
    expect(translator.translate(assistant('msg_1', toolUse('t2')))).toEqual([]);
    const [message] = translator.translate(assistant('msg_2', text('Done.')));
    expect(message).toMatchObject({
      type: 'message',
      text: 'Looking.',
      toolCalls: [{ toolCallId: 't1' }, { toolCallId: 't2' }],
    });
    expect(translator.flush?.(false)).toMatchObject([{ type: 'message', text: 'Done.', toolCalls: [] }]);
  });

  it('lets a message with a tool call go when the stream is quiet, but holds one of text only', () => {
    const translator = claudeCodeTranslator();
    translator.translate(assistant('msg_1', text('Thinking aloud.')));
    expect(translator.flush?.(true)).toEqual([]);
    translator.translate(assistant('msg_1', toolUse('t1')));
    expect(translator.flush?.(true)).toMatchObject([
      { text: 'Thinking aloud.', toolCalls: [{ toolCallId: 't1' }] },
    ]);
    expect(translator.flush?.(false)).toEqual([]);
  });

  it('ends the message before the tool results and the result that follow it', () => {
    const translator = claudeCodeTranslator();
    translator.translate(assistant('msg_1', toolUse('t1')));
    const events = translator.translate({
      type: 'user',
      message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    });
    expect(events.map((event) => event.type)).toEqual(['message', 'tool.result']);
    expect(events[1]).toMatchObject({ name: 'Read', ok: true });
  });

  it('stops at the first retry of a refused key, and lets other retries run', () => {
    const translator = claudeCodeTranslator();
    const retry = (status: number) => ({
      type: 'system',
      subtype: 'api_retry',
      error_status: status,
      error: 'x',
    });
    expect(translator.translate(retry(529))).toEqual([]);
    expect(translator.translate(retry(401))).toMatchObject([
      {
        type: 'finished',
        stop: true,
        error: { code: 'agent_failed', message: expect.stringContaining('HTTP 401') },
      },
    ]);
  });
});
