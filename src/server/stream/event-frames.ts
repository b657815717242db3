import type { StreamEvent } from '../../core/events.js';
import { StreamLaggedError } from '../../runtime/stream-lagged-error.js';
import { encodeFrame, type WireFormat } from './encoded-event.js';
import type { DisconnectedFrame } from './stream-frame.js';

/** Options of {@link eventStream}. */
export interface EventStreamOptions {
  /** Ends the stream (cleanly) when aborted, e.g. when the client disconnects. */
  signal?: AbortSignal;
  /** Interleave a heartbeat this often (ms); none when absent (NDJSON drops them anyway). */
  heartbeatMs?: number;
}

/** Most events coalesced into one chunk (one write to the socket). */
const MAX_BATCH_EVENTS = 256;

/**
 * Turns an event iterator into the bytes of a response body in `format`: one pull-based Web
 * stream per reader, with no encoding stages behind it (the bytes of an event are shared by
 * all its readers, see {@link encodeFrame}). Events already waiting for this reader when one
 * is pulled go out with it as one chunk, so a burst costs a reader one socket write, not one
 * per event. `open` receives a signal that aborts when the reader cancels (the HTTP client
 * went away) or `options.signal` aborts, so the runtime stops iterating instead of holding a
 * subscription for a reader that is gone.
 */
export function eventStream(
  open: (signal: AbortSignal) => AsyncIterable<StreamEvent>,
  format: WireFormat,
  options: EventStreamOptions = {},
): ReadableStream<Uint8Array> {
  const cancelled = new AbortController();
  const signal = options.signal ? AbortSignal.any([cancelled.signal, options.signal]) : cancelled.signal;
  let iterator: AsyncIterator<StreamEvent> | undefined;
  // A `next()` that was not settled when a chunk went out: the next pull starts with it.
  let pending: Promise<IteratorResult<StreamEvent>> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    clearInterval(heartbeat);
    cancelled.abort();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const beat = encodeFrame({ type: 'heartbeat' }, format);
      if (options.heartbeatMs !== undefined && beat) {
        heartbeat = setInterval(() => controller.enqueue(beat), options.heartbeatMs);
      }
    },
    async pull(controller) {
      if (signal.aborted) {
        stop();
        return controller.close();
      }
      const chunks: Uint8Array[] = [];
      try {
        iterator ??= open(signal)[Symbol.asyncIterator]();
        // A failed `next()` kept from the previous pull fails the stream only now, after the
        // chunk of events before it went out (erroring the stream would discard them).
        let result = await (pending ?? iterator.next());
        pending = undefined;
        while (!result.done) {
          const bytes = encodeFrame(result.value, format);
          if (bytes) chunks.push(bytes);
          if (chunks.length >= MAX_BATCH_EVENTS) break;
          pending = iterator.next();
          // Still waiting, or failed: the events so far go out first.
          if ((await settlementThisTurn(pending)) !== 'fulfilled') break;
          result = await pending;
          pending = undefined;
        }
        if (chunks.length > 0) controller.enqueue(joined(chunks));
        if (!result.done) return;
        stop();
        controller.close();
      } catch (error) {
        const aborted = signal.aborted;
        stop();
        if (error instanceof StreamLaggedError) {
          const frame: DisconnectedFrame = {
            type: 'stream.disconnected',
            reason: 'lagging',
            from: error.from,
            message: error.message,
          };
          controller.enqueue(encodeFrame(frame, format) as Uint8Array);
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

/**
 * How `promise` stands at the event loop's next turn: fulfilled when the iterator had the
 * event queued already (a burst), so it joins the chunk being built instead of a write of its own.
 */
function settlementThisTurn(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  // Also keeps a rejection that is only awaited by the next pull from counting as unhandled.
  promise.then(
    () => {
      state = 'fulfilled';
    },
    () => {
      state = 'rejected';
    },
  );
  return new Promise((resolve) => setImmediate(() => resolve(state)));
}

function joined(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}
