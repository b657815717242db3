import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../core/errors.js';
import { callModel } from './call-model.js';
import { callAborted } from './call-options.js';
import { scriptedModel } from './scripted-model.js';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];

/** `model` behind a middleware that rewrites the call options by `rewrite`. */
function rewriting(
  model: LanguageModelV3,
  rewrite: (options: LanguageModelV3CallOptions) => LanguageModelV3CallOptions,
): LanguageModelV3 {
  return { ...model, doStream: (options) => model.doStream(rewrite(options)) };
}

describe('callAborted', () => {
  it('is the signal’s state for options callModel did not make', () => {
    const controller = new AbortController();
    expect(callAborted({ prompt, abortSignal: controller.signal })).toBe(false);
    controller.abort();
    expect(callAborted({ prompt, abortSignal: controller.signal })).toBe(true);
    expect(callAborted({ prompt })).toBe(false);
  });

  it('stops a scripted model before its script runs when the caller already cancelled', async () => {
    let asked = 0;
    const model = scriptedModel(() => {
      asked += 1;
      return { text: 'never' };
    });
    const caller = new AbortController();
    caller.abort(new CancelledError());
    const failure = await callModel({ model, prompt, signal: caller.signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CancelledError);
    expect(asked).toBe(0);
  });

  it('follows a signal a middleware put in place of the call’s own', async () => {
    const theirs = new AbortController();
    theirs.abort();
    const model = rewriting(
      scriptedModel(() => ({ text: 'never' })),
      (options) => ({
        ...options,
        abortSignal: theirs.signal,
      }),
    );
    expect(await callModel({ model, prompt }).catch((error: unknown) => error)).toBeInstanceOf(
      CancelledError,
    );
    const inPlace = rewriting(
      scriptedModel(() => ({ text: 'never' })),
      (options) => {
        options.abortSignal = theirs.signal;
        return options;
      },
    );
    expect(await callModel({ model: inPlace, prompt }).catch((error: unknown) => error)).toBeInstanceOf(
      CancelledError,
    );
    const copied = rewriting(
      scriptedModel(() => ({ text: 'heard' })),
      (options) => ({ ...options }),
    );
    expect((await callModel({ model: copied, prompt })).text).toBe('heard');
  });
});
