import { getEventListeners } from 'node:events';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../core/errors.js';
import { callModel } from './call-model.js';
import { scriptedModel } from './scripted-model.js';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];

const finish: LanguageModelV3StreamPart = {
  type: 'finish',
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: {
    inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 0, text: 0, reasoning: undefined },
  },
};

/** A model that records the signal it is given and answers only when that signal aborts. */
function modelAwaitingAbort(): { model: LanguageModelV3; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const model: LanguageModelV3 = {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'test',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: (options: LanguageModelV3CallOptions) => {
      const signal = options.abortSignal as AbortSignal;
      signals.push(signal);
      return new Promise((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
  };
  return { model, signals };
}

/** A model whose stream sends a text delta every `everyMs`, `count` times, then finishes. */
function tricklingModel(count: number, everyMs: number): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'test',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: async () => {
      let sent = 0;
      return {
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, everyMs));
            sent += 1;
            controller.enqueue({ type: 'text-delta', id: 't', delta: '.' });
            if (sent < count) return;
            controller.enqueue(finish);
            controller.close();
          },
        }),
      };
    },
  };
}

describe('the signal a model call gives its provider', () => {
  it('aborts with the caller’s reason when the caller’s signal aborts mid-call', async () => {
    const { model, signals } = modelAwaitingAbort();
    const caller = new AbortController();
    const call = callModel({ model, prompt, signal: caller.signal }).catch((error: unknown) => error);
    const reason = new CancelledError();
    caller.abort(reason);
    expect(await call).toBe(reason);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('is aborted from the start when the caller’s signal already is', async () => {
    const { model, signals } = modelAwaitingAbort();
    const caller = new AbortController();
    const reason = new CancelledError();
    caller.abort(reason);
    await callModel({ model, prompt, signal: caller.signal }).catch(() => undefined);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('aborts with the timeout error when the first-byte timeout expires', async () => {
    const { model, signals } = modelAwaitingAbort();
    const failure = await callModel({
      model,
      prompt,
      signal: new AbortController().signal,
      timeouts: { firstByteTimeoutMs: 20, idleTimeoutMs: 10_000 },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'model_timeout', message: expect.stringContaining('first-byte') });
    expect(signals[0]?.reason).toBe(failure);
  });

  it('leaves no listener on the caller’s signal once calls are over, however they ended', async () => {
    const caller = new AbortController();
    const model = scriptedModel(() => ({ text: 'ok' }));
    for (let call = 0; call < 5; call += 1) await callModel({ model, prompt, signal: caller.signal });
    const failing = scriptedModel([]);
    await callModel({ model: failing, prompt, signal: caller.signal }).catch(() => undefined);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

describe('a late read of the call options', () => {
  it('links nothing to the caller’s signal when a middleware reads the abort signal after the call', async () => {
    const caller = new AbortController();
    const kept: LanguageModelV3CallOptions[] = [];
    const inner = scriptedModel(() => ({ text: 'ok' }));
    const model: LanguageModelV3 = {
      ...inner,
      doStream: (options) => {
        kept.push(options);
        return inner.doStream(options);
      },
    };
    for (let call = 0; call < 3; call += 1) await callModel({ model, prompt, signal: caller.signal });
    for (const options of kept) expect(options.abortSignal).toBeDefined();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

describe('the idle timeout', () => {
  it('starts over with every part, so a stream longer than it but never quiet that long succeeds', async () => {
    const response = await callModel({
      model: tricklingModel(8, 40),
      prompt,
      timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 150 },
    });
    expect(response.text).toBe('........');
  });
});
