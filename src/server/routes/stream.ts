import { Hono } from 'hono';
import type { Runtime } from '../../runtime/types.js';
import { parseHeader, parseQuery, pathId } from '../request-input.js';
import { lastEventId, streamQuery } from '../schemas.js';
import type { ServerEnv } from '../server-env.js';
import { eventStream } from '../stream/event-frames.js';

/** Options of {@link streamRoutes}. */
export interface StreamRouteOptions {
  /** SSE heartbeat comment interval in ms. */
  heartbeatMs: number;
  /** Live events buffered for a slow reader before it is disconnected (default: the runtime's). */
  maxLagEvents?: number;
}

/**
 * `GET /v1/sessions/:id/stream?from=N&follow=1`: NDJSON by default, SSE when the client
 * accepts `text/event-stream`. A `Last-Event-ID` header wins over `from`, because a browser's
 * EventSource reconnects with the original URL and only the header says where it stopped
 * (NDJSON readers may send it too). A reader that falls too far behind gets a last
 * `stream.disconnected` frame with the `from` to reconnect with.
 */
export function streamRoutes(runtime: Runtime, options: StreamRouteOptions): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/sessions/:id/stream', async (c) => {
    const sessionId = pathId('session', c.req.param('id'));
    const query = parseQuery(c.req.query(), streamQuery);
    const sse = (c.req.header('accept') ?? '').includes('text/event-stream');
    const lastSeen = c.req.header('last-event-id');
    const from =
      lastSeen !== undefined ? parseHeader('Last-Event-ID', lastSeen, lastEventId) + 1 : (query.from ?? 0);
    // Resolves the session before the 200 goes out, so an unknown id is a 404, not an empty stream.
    await runtime.getSession(sessionId);
    const follow = query.follow ?? false;
    const maxLagEvents = options.maxLagEvents;
    const body = eventStream(
      (signal, deliver) =>
        runtime.stream(sessionId, {
          from,
          follow,
          signal,
          deliver,
          ...(query.children === true && { children: true }),
          ...(maxLagEvents !== undefined && { maxLagEvents }),
        }),
      sse ? 'sse' : 'ndjson',
      {
        signal: c.req.raw.signal,
        ...(sse && { heartbeatMs: options.heartbeatMs }),
      },
    );
    return new Response(body, {
      headers: {
        'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-cache',
        // Reverse proxies (nginx) must pass events through as they come.
        'x-accel-buffering': 'no',
      },
    });
  });

  return routes;
}
