import type { StreamEvent } from '../../core/events.js';
import { StreamLaggedError } from '../../runtime/stream-lagged-error.js';
import { encodeFrame, type WireFormat } from './encoded-event.js';
import { type Flushable, scheduleFlush } from './flush-scheduler.js';
import { FrameBatch, type FrameBatches } from './frame-batch.js';
import type { DisconnectedFrame } from './stream-frame.js';

/** Where a pump's bytes go: a Node response, or a Web stream's controller. */
export interface EventSink {
  /** Sends one batch of frames; false when the reader's buffer is full (the pump waits for `resume`). */
  write(batch: FrameBatch): boolean;
  /** The stream is over: the events ended, the reader lagged, or the pump's signal aborted. */
  end(): void;
  /** The events failed on their own: the reader sees an error, not an end. */
  fail(error: unknown): void;
}

/**
 * Opens a pump's events: `signal` aborts when the reader left, `deliver` takes live events
 * synchronously (the runtime's `StreamOptions.deliver`).
 */
export type OpenEvents = (
  signal: AbortSignal,
  deliver: (event: StreamEvent) => boolean,
) => AsyncIterable<StreamEvent>;

/** Options of {@link EventPump}. */
export interface EventPumpOptions {
  /** Ends the stream (cleanly, after what is pending) when aborted, e.g. on server shutdown. */
  signal?: AbortSignal;
  /** Interleave a heartbeat this often (ms); none when absent (NDJSON drops them anyway). */
  heartbeatMs?: number;
}

/** Most events coalesced into one chunk (one write to the socket)... */
const MAX_BATCH_EVENTS = 256;
/** ...and most bytes, past which a chunk goes out at once (a replay of large events). */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Pumps an event iterator into a sink as the bytes of `format`, for one reader. The bytes of an
 * event are shared by all its readers (see {@link encodeFrame}); what arrives for a reader
 * before the next flush goes out as one chunk, written by one flush shared by every pump (see
 * {@link scheduleFlush}), so a burst costs a reader one write, and an event costs the process
 * one timer, not one per reader. The iterator is pulled until a write finds the reader's
 * buffer full; then it waits for `resume`, the events pile up in the runtime's bounded queue,
 * and a reader that stays behind gets the runtime's {@link StreamLaggedError}, sent as a last
 * `stream.disconnected` frame. `open` receives a signal that aborts on `stop` (the reader left),
 * so the runtime stops iterating instead of holding a subscription for a reader that is gone,
 * and a `deliver` function that takes the live events of a caught-up reader as they commit,
 * without a turn of the iterator each, until its buffer is full.
 */
export class EventPump implements Flushable {
  readonly #open: OpenEvents;
  readonly #format: WireFormat;
  readonly #sink: EventSink;
  readonly #options: EventPumpOptions;
  readonly #stopped = new AbortController();
  #iterator: AsyncIterator<StreamEvent> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Chunks waiting for the next flush, and their bytes. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Set while the reader's buffer is full: `resume` calls it. */
  #paused: (() => void) | undefined;
  #unpaused: Promise<void> | undefined;
  #started = false;
  #ended = false;

  constructor(open: OpenEvents, format: WireFormat, sink: EventSink, options: EventPumpOptions = {}) {
    this.#open = open;
    this.#format = format;
    this.#sink = sink;
    this.#options = options;
  }

  /** Starts pulling (once). */
  start(): void {
    if (this.#started || this.#ended) return;
    this.#started = true;
    const { signal } = this.#options;
    if (signal?.aborted) {
      this.#end();
      return;
    }
    signal?.addEventListener('abort', () => this.#end(), { once: true });
    const beat = encodeFrame({ type: 'heartbeat' }, this.#format);
    if (this.#options.heartbeatMs !== undefined && beat) {
      this.#heartbeat = setInterval(() => this.#queue(beat), this.#options.heartbeatMs);
    }
    void this.#run();
  }

  /** The reader has room again. */
  resume(): void {
    const paused = this.#paused;
    this.#paused = undefined;
    this.#unpaused = undefined;
    paused?.();
  }

  /** The reader left: stop iterating and write nothing more. */
  stop(): void {
    if (!this.#ended) this.#finish();
  }

  /** Ends the stream with `error` (its sink refused a write). */
  #fail(error: unknown): void {
    if (this.#ended) return;
    this.#finish();
    this.#sink.fail(error);
  }

  /** Ends the stream cleanly (the signal aborted): what is pending goes out, then the end. */
  #end(): void {
    if (!this.#ended) this.#close();
  }

  /** Flushes what is pending, then ends the sink: cleanly, or with the failure given. */
  #close(failure?: { error: unknown }): void {
    this.flush();
    if (this.#ended) return; // The flush failed: the sink heard of it already.
    this.#finish();
    if (failure) this.#sink.fail(failure.error);
    else this.#sink.end();
  }

  /**
   * Writes what is pending now: the shared flush calls it with the batches of its readers; the
   * pump itself, without, before it ends or when a chunk is full.
   */
  flush(batches?: FrameBatches): void {
    if (this.#ended || this.#pending.length === 0) return;
    const frames = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const batch = batches ? batches.batchOf(frames) : new FrameBatch(frames);
    let room: boolean;
    try {
      room = this.#sink.write(batch);
    } catch (error) {
      // A sink refusing a write (a Web stream closed under it) ends this reader, not the shared
      // flush of every other one.
      this.#fail(error);
      return;
    }
    if (!room && this.#unpaused === undefined) {
      this.#unpaused = new Promise((resolve) => {
        this.#paused = resolve;
      });
    }
  }

  async #run(): Promise<void> {
    try {
      const iterator = this.#open(this.#stopped.signal, this.#deliver)[Symbol.asyncIterator]();
      this.#iterator = iterator;
      for (;;) {
        if (this.#unpaused) await this.#unpaused;
        if (this.#ended) return;
        const result = await iterator.next();
        if (this.#ended) return;
        if (result.done) break;
        const bytes = encodeFrame(result.value, this.#format);
        if (bytes) this.#queue(bytes);
      }
      this.#close();
    } catch (error) {
      if (this.#ended) return;
      // The events before the failure go out first (they are the reader's to keep). A lagging
      // reader's disconnect is an ordinary end, not a failure. (A reader leaving or the signal
      // aborting ended the pump already: nothing to report.)
      if (error instanceof StreamLaggedError) {
        const frame: DisconnectedFrame = {
          type: 'stream.disconnected',
          reason: 'lagging',
          from: error.from,
          message: error.message,
        };
        this.#queue(encodeFrame(frame, this.#format) as Uint8Array);
        this.#close();
      } else this.#close({ error });
    }
  }

  /**
   * Takes a live event straight from the runtime, unless the reader's buffer is full: then the
   * event is yielded instead, and those after it wait in the runtime's bounded queue.
   */
  readonly #deliver = (event: StreamEvent): boolean => {
    if (this.#ended || this.#unpaused !== undefined) return false;
    const bytes = encodeFrame(event, this.#format);
    if (bytes) this.#queue(bytes);
    return true;
  };

  #queue(bytes: Uint8Array): void {
    if (this.#ended) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    // A long replay can resolve event after event without yielding to the event loop: bound
    // what one chunk holds, and let the reader's buffer push back.
    if (this.#pending.length >= MAX_BATCH_EVENTS || this.#pendingBytes >= MAX_BATCH_BYTES) this.flush();
    else scheduleFlush(this);
  }

  /** Ends the pump: no more writes, the iterator stopped, a paused loop let go. */
  #finish(): void {
    this.#ended = true;
    clearInterval(this.#heartbeat);
    this.#stopped.abort();
    this.resume();
    // Not awaited: the signal ends a pending `next()`; waiting here would tie the socket's
    // teardown to the runtime honouring it. Past the end, no one hears a failure.
    this.#iterator?.return?.().catch(() => undefined);
  }
}
