import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EventSink } from './event-pump.js';
import type { FrameBatch } from './frame-batch.js';

/** An {@link EventSink} into a Node response, and what its pump must hear from the response. */
export interface ResponseSink extends EventSink {
  /** Calls `resume` whenever the reader's buffer has room again after a full write. */
  onRoom(resume: () => void): void;
  /** The response closed: let go of the socket's listener, if one waits for `drain`. */
  release(): void;
}

/**
 * Writes a pump's batches into a Node response whose head is sent. A chunked HTTP/1.1 body (what
 * an event stream is, unless the client spoke HTTP/1.0) gets each batch as the chunk it frames
 * once for every reader ({@link FrameBatch.chunk}), written straight to the socket: the same
 * bytes `response.write` would send, with one buffer and none of the cork, `nextTick` and
 * four-buffer `writev` it spends on every write, which with hundreds of readers was a large
 * part of the server's cost per delivered event. Any other response gets `response.write`.
 */
export function responseSink(response: ServerResponse): ResponseSink {
  let resume: () => void = () => undefined;
  /**
   * Whether the head is surely on the socket: a `response.write` went through while the socket
   * was the response's. (`headersSent` turns true at `writeHead`, before a byte of the head is
   * written, so it cannot tell.) Until then batches go through `response.write`, which sends
   * the head first.
   */
  let headOut = false;
  /** The socket a full write is waiting on, for its `drain`. */
  let waiting: Socket | undefined;
  const drained = (): void => {
    waiting = undefined;
    resume();
  };
  return {
    write(batch: FrameBatch): boolean {
      const socket = headOut ? chunkedSocket(response) : undefined;
      if (socket === undefined) {
        headOut = response.socket !== null;
        return response.write(batch.bytes);
      }
      if (batch.writeChunkTo(socket)) return true;
      if (waiting === undefined) {
        waiting = socket;
        socket.once('drain', drained);
      }
      return false;
    },
    end: () => response.end(),
    fail: (error) => response.destroy(error instanceof Error ? error : new Error(String(error))),
    onRoom(listener) {
      resume = listener;
      // A write that went through the response (see `write`) hears of room from it.
      response.on('drain', listener);
    },
    release() {
      waiting?.off('drain', drained);
      waiting = undefined;
    },
  };
}

/**
 * The response's socket, when a chunk written to it is exactly what `response.write` would
 * send: the response owns the socket (it is the socket's current message: a pipelined response
 * waiting its turn has none yet, and one that finished has let go), it has not ended, and its
 * body is chunked. (Whether its head is out is the sink's to know, see `headOut`.)
 */
function chunkedSocket(response: ServerResponse): Socket | undefined {
  const { socket } = response;
  if (socket === null || !socket.writable) return undefined;
  if (!response.chunkedEncoding || response.writableEnded) return undefined;
  return socket;
}
