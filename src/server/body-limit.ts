import type { MiddlewareHandler } from 'hono';
import { PayloadTooLargeError, RequestAbortedError } from './http-errors.js';
import type { ServerEnv } from './server-env.js';

/** Past this many bytes an oversized body is no longer read to its end; the connection is dropped instead. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * Reads the request body (kept as `c.var.requestBody`) and rejects bodies over `maxBytes` with 413.
 * Unlike answering as soon as the limit is crossed, it first reads (and discards) the rest of a
 * moderately oversized body: a client still uploading when the answer comes would otherwise see
 * its connection reset instead of the 413. A client that disconnects mid-upload is a
 * `RequestAbortedError`, not a server fault.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<ServerEnv> {
  return async function limitRequestBody(c, next) {
    const body = c.req.raw.body;
    if (body === null) return next();
    // A declared size past the drain limit is refused before a byte is read.
    if (Number(c.req.header('content-length') ?? 0) > Math.max(DRAIN_LIMIT, maxBytes))
      throw new PayloadTooLargeError(maxBytes);
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        throw new RequestAbortedError(error);
      });
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await discardRest(reader, size).catch((error: unknown) => {
          throw new RequestAbortedError(error);
        });
        throw new PayloadTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
    const bytes = concat(chunks, size);
    c.set('requestBody', bytes);
    c.req.raw = new Request(c.req.raw, { body: bytes });
    await next();
  };
}

async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, read: number): Promise<void> {
  let total = read;
  while (total <= DRAIN_LIMIT) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.byteLength;
  }
  await reader.cancel();
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(size));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
