import type { ServerResponse } from 'node:http';
import type { WireFormat } from './encoded-event.js';
import { EventPump, type EventPumpOptions, type OpenEvents } from './event-pump.js';
import { responseSink } from './response-sink.js';

/** Options of {@link eventStream}. */
export type EventStreamOptions = EventPumpOptions;

/** What {@link takeEventBody} needs to pump a body's events straight into a Node response. */
interface DirectBody {
  open: OpenEvents;
  format: WireFormat;
  options: EventStreamOptions;
}

/** The bodies made by {@link eventStream}, until a server takes one over or it is dropped. */
const directBodies = new WeakMap<ReadableStream<Uint8Array>, DirectBody>();

/**
 * Turns an event iterator into the bytes of a response body in `format`, pumped by an
 * {@link EventPump}. The Web stream is what a Fetch-API host reads; `serve` instead takes the
 * body over with {@link takeEventBody} and writes the events straight into the Node response,
 * with no Web stream between them (nothing of it has started: it pulls only when read).
 */
export function eventStream(
  open: OpenEvents,
  format: WireFormat,
  options: EventStreamOptions = {},
): ReadableStream<Uint8Array> {
  let pump: EventPump | undefined;
  let closed = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pump === undefined) {
          pump = new EventPump(
            open,
            format,
            {
              write(batch) {
                controller.enqueue(batch.bytes);
                return (controller.desiredSize ?? 0) > 0;
              },
              end() {
                if (closed) return;
                closed = true;
                controller.close();
              },
              fail(error) {
                closed = true;
                controller.error(error);
              },
            },
            options,
          );
          pump.start();
        } else pump.resume();
      },
      cancel() {
        closed = true;
        pump?.stop();
      },
    },
    // Nothing starts until a reader reads: a body taken over by `takeEventBody` never opens.
    { highWaterMark: 0 },
  );
  directBodies.set(body, { open, format, options });
  return body;
}

/**
 * How to write an {@link eventStream} body straight into a Node response whose head is sent
 * (undefined for any other body): the pump's chunks go to the response's socket (see
 * {@link responseSink}), a full socket buffer pauses it until `drain`, and the response
 * closing (the reader left) stops it. The body is taken: its Web stream is never read.
 */
export function takeEventBody(
  body: ReadableStream<Uint8Array> | null,
): ((response: ServerResponse) => void) | undefined {
  const direct = body ? directBodies.get(body) : undefined;
  if (direct === undefined || body === null) return undefined;
  directBodies.delete(body);
  return (response) => {
    // The reader may be gone already (its 'close' came before the app answered).
    if (response.destroyed) return;
    const sink = responseSink(response);
    const pump = new EventPump(direct.open, direct.format, sink, direct.options);
    sink.onRoom(() => pump.resume());
    response.once('close', () => {
      sink.release();
      pump.stop();
    });
    pump.start();
  };
}
