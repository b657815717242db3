import { APICallError, InvalidResponseDataError } from '@ai-sdk/provider';
import { isConnectionFailure, isFetchFailure } from '../core/connection-failure.js';
import type { ErrorCode, ModelErrorCode } from '../core/error-codes.js';
import { errorMessage, isBatonError, ModelCallError } from '../core/errors.js';

/** Why a model call failed, as far as retrying is concerned. */
export type ErrorClass = 'network' | 'timeout' | 'rate_limit' | 'server' | 'client' | 'unknown';

/** A failed model call, classified. */
export interface ClassifiedError {
  errorClass: ErrorClass;
  retryable: boolean;
  /** The error code a failed turn reports. */
  code: ErrorCode;
  message: string;
  /** Delay the server asked for (`Retry-After` / `retry-after-ms`), in ms, when it sent one. */
  retryAfterMs: number | undefined;
}

const CODES: Readonly<Record<ErrorClass, ModelErrorCode>> = {
  network: 'model_network_error',
  timeout: 'model_timeout',
  rate_limit: 'rate_limited',
  server: 'model_server_error',
  client: 'model_request_rejected',
  unknown: 'model_error',
};

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Parses `retry-after-ms`, or `Retry-After` as seconds or an HTTP date relative to `now`. */
export function parseRetryAfter(
  headers: Record<string, string> | undefined,
  now: number,
): number | undefined {
  const milliseconds = Number.parseFloat(header(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classOfStatus(status: number): ErrorClass {
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'client';
}

function classOf(error: unknown): ErrorClass {
  // A 2xx "failed to process successful response" is the connection dropping mid-stream: its
  // cause says what happened, not its status.
  const status = APICallError.isInstance(error) ? error.statusCode : undefined;
  if (status !== undefined && (status < 200 || status > 299)) return classOfStatus(status);
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  if (isConnectionFailure(error) || isFetchFailure(error)) return 'network';
  // The provider noticed the stream stop before its finish chunk: a truncated response.
  if (InvalidResponseDataError.isInstance(error) && /ended without a finish/i.test(error.message))
    return 'network';
  if (APICallError.isInstance(error)) return error.isRetryable ? 'network' : 'unknown';
  return 'unknown';
}

/** Classifies a model-call failure: which class, whether a retry may help, and what to report. */
export function classifyModelError(error: unknown, now: number): ClassifiedError {
  const message = errorMessage(error);
  if (error instanceof ModelCallError) {
    return {
      errorClass: 'unknown',
      retryable: error.retryable,
      code: error.code,
      message,
      retryAfterMs: undefined,
    };
  }
  // Other Baton errors (a script running out, a misconfiguration) are deterministic: never retried.
  if (isBatonError(error)) {
    return { errorClass: 'client', retryable: false, code: error.code, message, retryAfterMs: undefined };
  }
  const errorClass = classOf(error);
  const retryAfterMs = APICallError.isInstance(error)
    ? parseRetryAfter(error.responseHeaders, now)
    : undefined;
  const retryable = errorClass !== 'client' && errorClass !== 'unknown';
  return { errorClass, retryable, code: CODES[errorClass], message, retryAfterMs };
}
