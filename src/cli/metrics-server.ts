import { Hono } from 'hono';
import { metricsRoute } from '../server/metrics-route.js';
import { type RunningServer, serve } from '../server/serve.js';
import type { ServerEnv } from '../server/server-env.js';
import type { Logger } from '../telemetry/logger.js';
import type { BatonMetrics } from '../telemetry/metrics.js';

/**
 * `baton worker --metrics-port <p>`: `GET /metrics` on 127.0.0.1 only, without authentication
 * (loopback: the scraper runs on the same host, or reaches it through its own tunnel).
 */
export async function serveMetrics(
  metrics: BatonMetrics,
  port: number,
  logger: Logger,
): Promise<RunningServer> {
  const app = new Hono<ServerEnv>();
  app.route('/', metricsRoute(metrics, undefined));
  const server = await serve({ app, port, host: '127.0.0.1' });
  logger.info('serving metrics', { url: `${server.url}/metrics` });
  return server;
}
