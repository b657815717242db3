import type { Server } from 'node:http';
import { createServer, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import { getRequestListener, RequestError } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { UserError } from '../core/errors.js';
import { errorBodyFor, errorResponse, statusForError } from './error-response.js';
import { MalformedRequestError } from './http-errors.js';
import { takeEventBody } from './stream/event-frames.js';

/** The Node request and response `@hono/node-server` hands to the app with each request. */
export type NodeBindings = HttpBindings | Http2Bindings;

type NodeResponse = NodeBindings['outgoing'];

/** Options of {@link serve}. */
export interface ServeOptions {
  /**
   * The app to serve (anything with a Fetch-API `fetch`, e.g. from {@link createApp}). It also
   * receives the Node request and response, as `@hono/node-server` passes them (`c.env`).
   */
  app: { fetch: (request: Request, bindings: NodeBindings) => Response | Promise<Response> };
  /** Default 7070; `0` picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/** A listening server. */
export interface RunningServer {
  /** `http://<host>:<port>` with the real port. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting connections, drops open event streams (their readers reconnect with
   * `from` elsewhere or later), lets other in-flight requests finish for up to `graceMs`
   * (default 5 000), then closes what is left.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

const STREAM_TYPES = ['application/x-ndjson', 'text/event-stream'];

/** Listens on `host:port` and resolves once the socket is bound. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const streams = new Set<NodeResponse>();
  // Event streams are recognised from the app's Response: the Node response cannot tell, since
  // headers given to `writeHead` (as the adapter does) are not readable with `getHeader`.
  const fetch = async (request: Request, bindings: NodeBindings): Promise<Response> => {
    const response = await options.app.fetch(request, bindings);
    const type = response.headers.get('content-type') ?? '';
    if (!STREAM_TYPES.some((streamType) => type.startsWith(streamType))) return response;
    const { outgoing } = bindings;
    // A client gone while the route was still working has closed already: no 'close' will come.
    if (!outgoing.destroyed) {
      streams.add(outgoing);
      outgoing.once('close', () => streams.delete(outgoing));
    }
    return outgoing instanceof ServerResponse ? writtenDirectly(response, outgoing) : response;
  };
  const listener = getRequestListener(fetch, {
    hostname: host,
    // The adapter refuses a request it cannot turn into a URL (a malformed Host, a backslash in
    // the path) with an empty 400; the API answers JSON errors, these included.
    errorHandler: (error) =>
      errorResponse(error instanceof RequestError ? new MalformedRequestError(400, error.message) : error),
  });
  const server = createServer((incoming, outgoing) => {
    // Host names are case-insensitive (RFC 9110), but the adapter refuses `LOCALHOST:7070` as
    // "Invalid host header" since the URL it builds lowercases the name; lowercase it first.
    if (incoming.headers.host !== undefined) incoming.headers.host = incoming.headers.host.toLowerCase();
    return listener(incoming, outgoing);
  });
  server.on('clientError', answerClientError);
  await listen(server, options.port ?? 7070, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    close(closeOptions) {
      closing ??= shutDown(server, streams, closeOptions?.graceMs ?? 5_000);
      return closing;
    },
  };
}

/**
 * An event stream's head written to the Node response, and its events pumped straight into it
 * ({@link takeEventBody}): with hundreds of readers of one session, a Web stream per reader
 * between the events and the socket was most of the server's work per delivered event. Any
 * other body (an MCP server's SSE) goes back to the adapter, which pipes it.
 */
function writtenDirectly(response: Response, outgoing: ServerResponse): Response {
  const write = takeEventBody(response.body);
  if (write === undefined) return response;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  outgoing.writeHead(response.status, headers);
  // The head goes out now: a follower waits for it before it reads, and events may be far off.
  outgoing.flushHeaders();
  write(outgoing);
  return RESPONSE_ALREADY_SENT;
}

/**
 * Answers what Node's HTTP parser refuses before any route sees it (oversized headers, a NUL in
 * the request line, a read timeout) with the API's JSON error shape instead of a bare status.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // The connection is gone (reset, or already answered); there is nobody to tell.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const refusal = new MalformedRequestError(
    status,
    `the HTTP request could not be parsed (${error.code ?? 'bad request'})`,
  );
  const body = JSON.stringify({ error: errorBodyFor(refusal) });
  socket.end(
    `HTTP/1.1 ${statusForError(refusal)} ${STATUS_TEXT[status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

const STATUS_TEXT = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
} as const;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
      reject(new UserError('listen_failed', `cannot listen on ${host}:${port}: ${reason}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function shutDown(server: Server, streams: Set<NodeResponse>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Event streams never finish on their own under `follow=1`; waiting for them would only delay exit.
  for (const response of streams) response.destroy();
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(grace);
}
