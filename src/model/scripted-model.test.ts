import type { LanguageModelV3Prompt, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { ModelBehaviorError } from '../core/errors.js';
import { callModel } from './call-model.js';
import { scriptedModel } from './scripted-model.js';

const user = (text: string): LanguageModelV3Prompt[number] => ({
  role: 'user',
  content: [{ type: 'text', text }],
});
const assistant = (text: string): LanguageModelV3Prompt[number] => ({
  role: 'assistant',
  content: [{ type: 'text', text }],
});

async function streamParts(model: ReturnType<typeof scriptedModel>, prompt: LanguageModelV3Prompt) {
  const { stream } = await model.doStream({ prompt });
  const parts: LanguageModelV3StreamPart[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return parts;
}

describe('scriptedModel', () => {
  it('answers the i-th assistant turn of the prompt with step i, so a resumed run continues the script', async () => {
    const model = scriptedModel([{ text: 'first' }, { text: 'second' }, { text: 'third' }]);
    const resumedPrompt: LanguageModelV3Prompt = [
      user('a'),
      assistant('first'),
      user('b'),
      assistant('second'),
      user('c'),
    ];
    const result = await model.doGenerate({ prompt: resumedPrompt });
    expect(result.content).toEqual([{ type: 'text', text: 'third' }]);
  });

  it('throws script_exhausted past the end of the script', async () => {
    const model = scriptedModel([{ text: 'only' }]);
    const failure = await model.doGenerate({ prompt: [user('a'), assistant('only'), user('b')] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelBehaviorError);
    expect(failure).toMatchObject({ code: 'script_exhausted' });
  });

  it('gives tool calls deterministic ids and JSON input', async () => {
    const model = scriptedModel([
      {
        toolCalls: [
          { name: 'a', input: { x: 1 } },
          { name: 'b', input: {} },
        ],
      },
    ]);
    const result = await model.doGenerate({ prompt: [user('go')] });
    expect(result.content).toEqual([
      { type: 'tool-call', toolCallId: 'call_0_0', toolName: 'a', input: '{"x":1}' },
      { type: 'tool-call', toolCallId: 'call_0_1', toolName: 'b', input: '{}' },
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
  });

  it('streams text as several deltas', async () => {
    const model = scriptedModel([{ text: 'one two three four five six' }]);
    const deltas = (await streamParts(model, [user('hi')])).filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('')).toBe(
      'one two three four five six',
    );
  });

  it('passes the request to function steps and supports an endless function script', async () => {
    const model = scriptedModel((request) => ({ text: `step ${request.step}: ${request.lastUserText}` }));
    const prompt: LanguageModelV3Prompt = [user('a'), assistant('x'), user('b'), assistant('y'), user('c')];
    const result = await callModel({ model, prompt });
    expect(result.text).toBe('step 2: c');
  });

  it('reports scripted usage and cost through callModel', async () => {
    const model = scriptedModel([{ text: 'hi', usage: { inputTokens: 10, outputTokens: 4, costUsd: 0.25 } }]);
    const result = await callModel({ model, prompt: [user('hello')] });
    expect(result).toEqual({
      text: 'hi',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 4, costUsd: 0.25 },
    });
  });

  it('marks a step whose tool input is not JSON as malformed and keeps the raw text', async () => {
    const model = scriptedModel([{ toolCalls: [{ name: 'a', rawInput: '{"x": ' }] }]);
    const result = await callModel({ model, prompt: [user('go')] });
    expect(result.finishReason).toBe('malformed');
    expect(result.toolCalls).toEqual([{ toolCallId: 'call_0_0', name: 'a', input: '{"x": ' }]);
  });

  it('replays a scripted finish reason through normalisation unchanged', async () => {
    const model = scriptedModel([{ text: 'cut', finishReason: 'context_limit' }]);
    expect((await callModel({ model, prompt: [user('go')] })).finishReason).toBe('context_limit');
  });

  it("accepts the AI SDK's own finish reason spellings", async () => {
    const model = scriptedModel([
      { toolCalls: [{ name: 'a', input: {} }], finishReason: 'tool-calls' },
      { text: 'filtered', finishReason: 'content-filter' },
    ]);
    expect((await callModel({ model, prompt: [user('go')] })).finishReason).toBe('tool_calls');
    const second = await callModel({ model, prompt: [user('go'), assistant('x')] });
    expect(second.finishReason).toBe('content_filter');
  });

  it('rejects an unknown finish reason and a function step that returns no step with invalid_script', async () => {
    const unknownReason = scriptedModel([{ text: 'x', finishReason: 'done' as 'stop' }]);
    await expect(unknownReason.doGenerate({ prompt: [user('go')] })).rejects.toMatchObject({
      code: 'invalid_script',
      message: expect.stringContaining('"done"'),
    });
    const empty = scriptedModel(() => undefined as unknown as { text: string });
    await expect(empty.doGenerate({ prompt: [user('go')] })).rejects.toBeInstanceOf(ModelBehaviorError);
    await expect(empty.doGenerate({ prompt: [user('go')] })).rejects.toMatchObject({
      code: 'invalid_script',
    });
  });
});
