import type { Socket } from 'node:net';

/** The end of a chunk's size line and of its data (RFC 9112 §7.1). */
const CRLF = '\r\n';

/**
 * Chunks up to this size are copied into one buffer ({@link FrameBatch.chunk}); a larger one is
 * written in pieces instead, so that a big event followed by hundreds of readers is not copied
 * once per reader when their batches are not shared (a reader's full batch flushes on its own).
 */
const COPY_LIMIT = 16 * 1024;

/**
 * The frames one flush sends a reader, as the bytes of one write. The followers of a session are
 * flushed together with the same frames pending, so they share one batch (see
 * {@link FrameBatches}): the frames are concatenated, and framed as an HTTP/1.1 chunk, once for
 * all of them rather than once per reader.
 */
export class FrameBatch {
  readonly frames: readonly Uint8Array[];
  /** The frames' length in bytes, counted once: every reader sharing the batch writes it. */
  readonly #size: number;
  #bytes: Uint8Array | undefined;
  #chunk: Buffer | undefined;

  constructor(frames: readonly Uint8Array[]) {
    this.frames = frames;
    let size = 0;
    for (const frame of frames) size += frame.byteLength;
    this.#size = size;
  }

  /** The frames' bytes, one after the other. */
  get bytes(): Uint8Array {
    this.#bytes ??= this.frames.length === 1 ? (this.frames[0] as Uint8Array) : Buffer.concat(this.frames);
    return this.#bytes;
  }

  /**
   * The same bytes as one chunk of a chunked HTTP/1.1 body (size in hex, CRLF, the bytes, CRLF),
   * in one buffer: exactly what `ServerResponse.write` puts on the wire for {@link bytes}, but
   * one buffer to write instead of the four Node frames each write with.
   */
  get chunk(): Buffer {
    if (this.#chunk === undefined) {
      const size = this.#size;
      const head = `${size.toString(16)}${CRLF}`;
      const chunk = Buffer.allocUnsafe(head.length + size + CRLF.length);
      let offset = chunk.write(head, 0, 'latin1');
      for (const frame of this.frames) {
        chunk.set(frame, offset);
        offset += frame.byteLength;
      }
      chunk.write(CRLF, offset, 'latin1');
      this.#chunk = chunk;
    }
    return this.#chunk;
  }

  /**
   * Writes the batch to `socket` as one chunk: one copied buffer when it is small, else its size
   * line, frames and CRLF corked into one `writev` without copying the frames. Nothing for an
   * empty batch (its chunk, `0\r\n\r\n`, would end the body). False when the socket's buffer is full.
   */
  writeChunkTo(socket: Socket): boolean {
    const size = this.#size;
    if (size === 0) return !socket.writableNeedDrain;
    if (size <= COPY_LIMIT) return socket.write(this.chunk);
    socket.cork();
    socket.write(`${size.toString(16)}${CRLF}`, 'latin1');
    for (const frame of this.frames) socket.write(frame);
    const room = socket.write(CRLF, 'latin1');
    socket.uncork();
    return room;
  }

  /** Whether `frames` are this batch's frames, the same objects in the same order. */
  holds(frames: readonly Uint8Array[]): boolean {
    if (frames.length !== this.frames.length) return false;
    for (let index = 0; index < frames.length; index += 1)
      if (frames[index] !== this.frames[index]) return false;
    return true;
  }
}

/**
 * The batches of one flush, found by their frames: readers whose pending frames are the same
 * objects (each event's bytes are shared, see `encodeFrame`) get the same {@link FrameBatch}.
 */
export class FrameBatches {
  /** By first frame: the few distinct batches that start with it (readers at different points). */
  readonly #byFirstFrame = new Map<Uint8Array, FrameBatch[]>();

  batchOf(frames: readonly Uint8Array[]): FrameBatch {
    const first = frames[0] as Uint8Array;
    const candidates = this.#byFirstFrame.get(first);
    const found = candidates?.find((batch) => batch.holds(frames));
    if (found) return found;
    const batch = new FrameBatch(frames);
    if (candidates) candidates.push(batch);
    else this.#byFirstFrame.set(first, [batch]);
    return batch;
  }
}
