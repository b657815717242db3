import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { newId } from '../core/ids.js';
import type { Logger } from '../telemetry/logger.js';
import { withLogFields } from '../telemetry/logger.js';
import type { BatonMetrics } from '../telemetry/metrics.js';
import { parseTraceparent, withTraceparent } from '../telemetry/trace-context.js';
import type { ServerEnv } from './server-env.js';

/** A caller's `X-Request-Id` is kept when it is this tame; anything else gets a fresh id. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets a request id (the caller's `X-Request-Id` when it is tame, else a new one),
 * echoed in the response and put on every log line written while it is handled; a valid W3C
 * `traceparent` becomes the trace context of the runs the request creates; and its duration is
 * observed by route pattern (never the raw path, so ids do not become label values) and status.
 * At level `debug` each request is logged with its headers (secrets redacted by the logger).
 */
export function observeRequests(
  metrics: BatonMetrics | undefined,
  logger: Logger,
): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : newId('req');
    const traceparent = parseTraceparent(c.req.header('traceparent')) && c.req.header('traceparent');
    const startedAt = performance.now();
    const handle = () => withLogFields({ requestId }, next);
    try {
      await (traceparent ? withTraceparent(traceparent.trim().toLowerCase(), handle) : handle());
    } finally {
      c.header('x-request-id', requestId);
      const seconds = (performance.now() - startedAt) / 1000;
      const matched = routePath(c, -1);
      const route = matched.endsWith('*') ? 'unmatched' : matched;
      const status = String(c.res.status);
      metrics?.httpDuration.observe({ route, method: c.req.method, status }, seconds);
      logger.debug('request', {
        requestId,
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(seconds * 1000),
        headers: c.req.header(),
      });
    }
  };
}
