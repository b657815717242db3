import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { APICallError, InvalidResponseDataError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { isConnectionFailure } from '../core/connection-failure.js';
import { ModelCallError } from '../core/errors.js';
import { callModel } from './call-model.js';
import { classifyModelError } from './classify-error.js';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];

/** A model whose stream yields `parts` and then either ends or never does. */
function modelStreaming(parts: LanguageModelV3StreamPart[], end: 'close' | 'hang'): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'test',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: async () => ({
      stream: new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          if (end === 'close') controller.close();
        },
      }),
    }),
  };
}

const started: LanguageModelV3StreamPart = { type: 'stream-start', warnings: [] };
const delta: LanguageModelV3StreamPart = { type: 'text-delta', id: 't', delta: 'Hel' };

describe('callModel', () => {
  it('fails a stream that ends without its finish part as a retryable model_network_error', async () => {
    const failure = await callModel({ model: modelStreaming([started, delta], 'close'), prompt }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({ code: 'model_network_error', retryable: true });
  });

  it('fails a stream with nothing but stream-start after the first-byte timeout', async () => {
    const failure = await callModel({
      model: modelStreaming([started], 'hang'),
      prompt,
      timeouts: { firstByteTimeoutMs: 50, idleTimeoutMs: 10_000 },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'model_timeout',
      retryable: true,
      message: expect.stringContaining('first-byte'),
    });
  });

  it('fails a stream that goes quiet after a chunk after the idle timeout', async () => {
    const failure = await callModel({
      model: modelStreaming([started, delta], 'hang'),
      prompt,
      timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 50 },
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'model_timeout', message: expect.stringContaining('idle') });
  });
});

describe('classifyModelError', () => {
  it('classifies a connection dropped mid-stream (a 2xx that failed) as a retryable network error', () => {
    const terminated = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const dropped = new APICallError({
      message: 'Failed to process successful response',
      url: 'http://127.0.0.1/v1/chat/completions',
      requestBodyValues: {},
      statusCode: 200,
      cause: terminated,
    });
    expect(classifyModelError(dropped, 0)).toMatchObject({ code: 'model_network_error', retryable: true });
    const truncated = new InvalidResponseDataError({
      data: {},
      message: 'Response stream ended without a finish reason.',
    });
    expect(classifyModelError(truncated, 0)).toMatchObject({ code: 'model_network_error', retryable: true });
  });

  it('finds a broken connection at any depth of the causes, and not in a certificate or a timeout', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const closedEarly = Object.assign(new Error('premature close', { cause: reset }), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
    });
    expect(classifyModelError(closedEarly, 0)).toMatchObject({
      code: 'model_network_error',
      retryable: true,
    });
    const certificate = Object.assign(new Error('unable to verify'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(isConnectionFailure(new TypeError('fetch failed', { cause: certificate }))).toBe(false);
    const slow = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(isConnectionFailure(new TypeError('fetch failed', { cause: slow }))).toBe(false);
    expect(isConnectionFailure(new TypeError('fetch failed', { cause: reset }))).toBe(true);
  });

  it('still classifies error statuses by status', () => {
    const rejected = new APICallError({ message: 'bad', url: 'u', requestBodyValues: {}, statusCode: 400 });
    expect(classifyModelError(rejected, 0)).toMatchObject({
      code: 'model_request_rejected',
      retryable: false,
    });
  });
});
