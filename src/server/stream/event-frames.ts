import type { StreamEvent } from '../../core/events.js';
import { StreamLaggedError } from '../../runtime/stream-lagged-error.js';

/** A keep-alive tick; encoders that support comments (SSE) turn it into one, others drop it. */
export interface HeartbeatFrame {
  type: 'heartbeat';
}

/**
 * The last frame of a stream whose reader fell too far behind: the server stops buffering for
 * it and closes; the reader reconnects with `from` and loses nothing persisted.
 */
export interface DisconnectedFrame {
  type: 'stream.disconnected';
  reason: 'lagging';
  /** The `seq` to reconnect from. */
  from: number;
  message: string;
}

/** What flows from the runtime's event iterator to a wire encoder. */
export type StreamFrame = StreamEvent | HeartbeatFrame | DisconnectedFrame;

/** Options of {@link eventFrames}. */
export interface EventFramesOptions {
  /** Ends the stream (cleanly) when aborted, e.g. when the client disconnects. */
  signal?: AbortSignal;
  /** Interleave a heartbeat frame this often (ms); none when absent. */
  heartbeatMs?: number;
}

/**
 * Turns an event iterator into a pull-based Web stream. `open` receives a signal that aborts
 * when the reader cancels (the HTTP client went away) or `options.signal` aborts, so the
 * runtime stops iterating instead of holding a subscription for a reader that is gone.
 */
export function eventFrames(
  open: (signal: AbortSignal) => AsyncIterable<StreamEvent>,
  options: EventFramesOptions = {},
): ReadableStream<StreamFrame> {
  const cancelled = new AbortController();
  const signal = options.signal ? AbortSignal.any([cancelled.signal, options.signal]) : cancelled.signal;
  let iterator: AsyncIterator<StreamEvent> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    clearInterval(heartbeat);
    cancelled.abort();
  };
  return new ReadableStream<StreamFrame>({
    start(controller) {
      if (options.heartbeatMs !== undefined) {
        heartbeat = setInterval(() => controller.enqueue({ type: 'heartbeat' }), options.heartbeatMs);
      }
    },
    async pull(controller) {
      if (signal.aborted) {
        stop();
        return controller.close();
      }
      try {
        iterator ??= open(signal)[Symbol.asyncIterator]();
        const next = await iterator.next();
        if (!next.done) return controller.enqueue(next.value);
        stop();
        controller.close();
      } catch (error) {
        const aborted = signal.aborted;
        stop();
        if (error instanceof StreamLaggedError) {
          controller.enqueue({
            type: 'stream.disconnected',
            reason: 'lagging',
            from: error.from,
            message: error.message,
          });
        }
        // An abort is the reader leaving or the server shutting down: an ordinary end, not a
        // failure; so is a lagging reader's disconnect.
        if (aborted || error instanceof StreamLaggedError) controller.close();
        else controller.error(error);
      }
    },
    cancel() {
      stop();
      // Not awaited: the signal above ends a pending `next()`; waiting here would tie the
      // socket's teardown to the runtime honouring it. The reader left: no one hears a failure.
      iterator?.return?.().catch(() => undefined);
    },
  });
}
