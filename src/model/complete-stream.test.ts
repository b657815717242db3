import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { callModel } from './call-model.js';
import { completeStreamResult, untouchedParts } from './complete-stream.js';
import { scriptedModel } from './scripted-model.js';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];

const parts: LanguageModelV3StreamPart[] = [
  { type: 'stream-start', warnings: [] },
  { type: 'text-delta', id: 't', delta: 'Hel' },
  { type: 'text-delta', id: 't', delta: 'lo' },
  {
    type: 'finish',
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 2, text: 2, reasoning: undefined },
    },
  },
];

async function read(stream: ReadableStream<LanguageModelV3StreamPart>): Promise<LanguageModelV3StreamPart[]> {
  const seen: LanguageModelV3StreamPart[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) seen.push(next.value);
  return seen;
}

/** Upper-cases text deltas, as a stream middleware might. */
function shouting(): TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart> {
  return new TransformStream({
    transform(part, controller) {
      controller.enqueue(part.type === 'text-delta' ? { ...part, delta: part.delta.toUpperCase() } : part);
    },
  });
}

/** `model` behind a middleware that rewrites its stream by `wrap`. */
function wrapped(
  model: LanguageModelV3,
  wrap: (result: Awaited<ReturnType<LanguageModelV3['doStream']>>) => object,
): LanguageModelV3 {
  return { ...model, doStream: async (options) => wrap(await model.doStream(options)) as never };
}

describe('completeStreamResult', () => {
  it('is an ordinary doStream result: its stream gives the parts, the same stream on every read', async () => {
    const result = completeStreamResult(parts);
    expect(result.stream).toBe(result.stream);
    expect(await read(result.stream)).toEqual(parts);
    const { stream } = completeStreamResult(parts);
    expect(await read(stream)).toEqual(parts);
  });

  it('hands its parts to callModel only while nobody read or replaced its stream', () => {
    expect(untouchedParts(completeStreamResult(parts))).toBe(parts);
    const read = completeStreamResult(parts);
    void read.stream;
    expect(untouchedParts(read)).toBeUndefined();
    const copied = { ...completeStreamResult(parts) };
    expect(untouchedParts(copied)).toBeUndefined();
    expect(untouchedParts({ stream: new ReadableStream() })).toBeUndefined();
  });

  it('gives callModel the same response and deltas as the stream does', async () => {
    const model = scriptedModel([{ text: 'one two three four five six', usage: { inputTokens: 4 } }]);
    const fast: string[] = [];
    const response = await callModel({ model, prompt, onTextDelta: (delta) => fast.push(delta) });
    const streamed = await read((await model.doStream({ prompt })).stream);
    const deltas = streamed.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
    expect(fast).toEqual(deltas);
    expect(fast.length).toBeGreaterThan(1);
    expect(response).toEqual({
      text: 'one two three four five six',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 4, outputTokens: 0 },
    });
  });

  it('lets a middleware that copies the result with a new stream, or replaces it in place, be heard', async () => {
    const model = scriptedModel(() => ({ text: 'quiet' }));
    const copying = wrapped(model, (result) => ({
      ...result,
      stream: result.stream.pipeThrough(shouting()),
    }));
    expect((await callModel({ model: copying, prompt })).text).toBe('QUIET');
    const inPlace = wrapped(model, (result) => {
      result.stream = result.stream.pipeThrough(shouting());
      return result;
    });
    expect((await callModel({ model: inPlace, prompt })).text).toBe('QUIET');
  });
});
