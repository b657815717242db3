import type { StreamEvent } from '../core/events.js';
import { apiErrorFrom } from './client-error.js';
import { ndjsonDecoder, StreamFormatError } from './ndjson-decoder.js';

/** Options of {@link reconnectingStream}. */
export interface ReconnectOptions {
  /** First `seq` to read (default 0). */
  from: number;
  signal: AbortSignal | undefined;
  /** Consecutive failed attempts tolerated before the error is thrown (default 5). */
  maxReconnects: number;
  maxLineLength: number | undefined;
}

/**
 * Reads a session stream, reconnecting with `from = last seq + 1` when the connection drops,
 * so nothing persisted is lost or repeated. A `stream.disconnected` frame (the server stopped
 * buffering for a reader that fell behind) reconnects at once from the `from` it names. A
 * clean end of the response is the end of the stream (the session went idle); an aborted
 * signal ends it quietly; HTTP 4xx and malformed lines are thrown at once, since retrying
 * cannot fix them.
 */
export async function* reconnectingStream(
  open: (from: number, signal: AbortSignal | undefined) => Promise<Response>,
  options: ReconnectOptions,
): AsyncGenerator<StreamEvent, void, undefined> {
  let from = options.from;
  let failures = 0;
  for (;;) {
    try {
      const response = await open(from, options.signal);
      if (!response.ok) {
        const error = await apiErrorFrom(response);
        if (response.status < 500) throw error;
        throw new RetryableError(error);
      }
      if (response.body === null) return;
      const reader = response.body
        .pipeThrough(ndjsonDecoder<StreamEvent | DisconnectedLine>(maxLine(options)))
        .getReader();
      let disconnected = false;
      try {
        while (!disconnected) {
          const next = await reader.read();
          if (next.done) return;
          failures = 0;
          const event = next.value;
          if (event.type === 'stream.disconnected') {
            from = Math.max(from, event.from);
            disconnected = true;
            continue;
          }
          if ('seq' in event) {
            // The server never sends a seq below `from`; checking here keeps "no repeats" true regardless.
            if (event.seq < from) continue;
            from = event.seq + 1;
          }
          yield event;
        }
      } finally {
        // The reader is done with the stream; a cancel that fails leaves nothing to report.
        reader.cancel().catch(() => undefined);
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      const cause = error instanceof RetryableError ? error.cause : error;
      if (!isRetryable(error) || failures >= options.maxReconnects) throw cause;
      failures += 1;
      await sleep(Math.min(100 * 2 ** failures, 2_000), options.signal);
    }
  }
}

/** The server's last line to a reader that fell behind: reconnect from `from`. */
interface DisconnectedLine {
  type: 'stream.disconnected';
  from: number;
}

function maxLine(options: ReconnectOptions): { maxLineLength?: number } {
  return options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength };
}

/** A 5xx answer: the next attempt may reach a healthy server. */
class RetryableError extends Error {
  override readonly cause: Error;

  constructor(cause: Error) {
    super(cause.message);
    this.cause = cause;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof StreamFormatError) return false;
  // fetch reports refused connections and bodies cut mid-way as TypeErrors (undici: "fetch failed", "terminated").
  return error instanceof TypeError || (error instanceof Error && error.name === 'SocketError');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
