import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { UserError } from '../core/errors.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The app to serve (anything with a Fetch-API `fetch`, e.g. from {@link createApp}). */
  app: { fetch: (request: Request) => Response | Promise<Response> };
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
  const server = createAdaptorServer({ fetch: options.app.fetch, hostname: host }) as Server;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
  });
  await listen(server, options.port ?? 7070, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    close(closeOptions) {
      closing ??= shutDown(server, inFlight, closeOptions?.graceMs ?? 5_000);
      return closing;
    },
  };
}

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

async function shutDown(server: Server, inFlight: Set<ServerResponse>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const response of inFlight) {
    const type = String(response.getHeader('content-type') ?? '');
    // Event streams never finish on their own under `follow=1`; waiting for them would only delay exit.
    if (STREAM_TYPES.some((streamType) => type.startsWith(streamType))) response.destroy();
  }
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(grace);
}
