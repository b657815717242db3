import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { BatonMetrics } from '../telemetry/metrics.js';
import type { ServerEnv } from './server-env.js';

/** `GET /metrics`: every Baton metric in the Prometheus text format, behind `requireCaller` when given. */
export function metricsRoute(
  metrics: BatonMetrics,
  requireCaller: MiddlewareHandler<ServerEnv> | undefined,
): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  if (requireCaller) routes.use('/metrics', requireCaller);
  routes.get('/metrics', async (c) =>
    c.body(await metrics.text(), 200, { 'content-type': metrics.contentType }),
  );
  return routes;
}
