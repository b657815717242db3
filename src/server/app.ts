import { Hono } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { mcpHttpHandler } from '../mcp/http-handler.js';
import { runtimeTaskService } from '../mcp/runtime-tasks.js';
import type { Runtime } from '../runtime/types.js';
import type { AuthOptions } from './auth.js';
import { authenticate } from './auth.js';
import { limitBody } from './body-limit.js';
import { errorResponse, statusForError } from './error-response.js';
import { MethodNotAllowedError, RouteNotFoundError } from './http-errors.js';
import { packageVersion } from './package-version.js';
import { agentRoutes } from './routes/agents.js';
import { messageRoutes } from './routes/messages.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/sessions.js';
import { streamRoutes } from './routes/stream.js';
import { taskRoutes } from './routes/tasks.js';
import { workerRoutes } from './routes/workers.js';
import type { ServerEnv } from './server-env.js';

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Options of {@link createApp}. */
export interface AppOptions {
  runtime: Runtime;
  /** Default `{ mode: 'none' }`. */
  auth?: AuthOptions;
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Reported by `GET /v1/health` (default: the package version). */
  version?: string;
  /** SSE heartbeat comment interval in ms (default 15 000). */
  heartbeatMs?: number;
  /**
   * Live events a stream buffers for a reader that is not keeping up (default 1 000); past
   * that it ends with a `stream.disconnected` frame naming the `from` to reconnect with.
   */
  maxStreamLagEvents?: number;
  /** Told about every 500 (a server fault, never bad input), e.g. to log it. */
  onInternalError?: (error: unknown) => void;
}

/**
 * The HTTP API as a Hono app (DESIGN.md section 7). Serve it with {@link serve}, or call
 * `app.request('/v1/health')` in tests without opening a port.
 */
export function createApp(options: AppOptions): Hono<ServerEnv> {
  const { runtime } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const version = options.version ?? packageVersion();
  const app = new Hono<ServerEnv>();

  app.onError((error) => {
    if (statusForError(error) === 500) options.onInternalError?.(error);
    return errorResponse(error);
  });
  app.notFound((c) => errorResponse(new RouteNotFoundError(c.req.method, c.req.path)));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        errorResponse(new MethodNotAllowedError(c.req.method, c.req.path, allowed)),
    }),
  );

  // Health stays open whatever the auth mode, so load balancers can probe it.
  app.get('/v1/health', (c) => c.json({ ok: true, version }));
  const requireCaller = authenticate(options.auth ?? { mode: 'none' });
  const boundedBody = limitBody(limit);
  app.use('/v1/*', requireCaller, boundedBody);

  app.route('/v1', agentRoutes(runtime));
  app.route('/v1', sessionRoutes(runtime));
  app.route(
    '/v1',
    streamRoutes(runtime, {
      heartbeatMs: options.heartbeatMs ?? 15_000,
      ...(options.maxStreamLagEvents !== undefined && { maxLagEvents: options.maxStreamLagEvents }),
    }),
  );
  app.route('/v1', messageRoutes(runtime));
  app.route('/v1', runRoutes(runtime));
  app.route('/v1', workerRoutes(runtime));

  // Delegation: the task API and the MCP server (Streamable HTTP), behind the same auth and limit.
  const tasks = runtimeTaskService(runtime);
  app.route('/v1', taskRoutes(tasks));
  const mcp = mcpHttpHandler({ tasks, version });
  app.use('/mcp', requireCaller, boundedBody);
  app.all('/mcp', (c) => mcp(c.req.raw));
  return app;
}
