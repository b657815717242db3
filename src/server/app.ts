import { Hono, type MiddlewareHandler } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { WebhookReceiver } from '../channels/webhook-receiver.js';
import type { Environment } from '../core/environment.js';
import { runtimeTaskService } from '../delegation/runtime-task-service.js';
import type { HandoffPlane } from '../governed/handoff/accept-handoff.js';
import type { RunnerBlobQuota } from '../governed/runner-blobs.js';
import { RunnerPlane } from '../governed/runner-plane.js';
import { mcpHttpHandler } from '../mcp/http-handler.js';
import type { Runtime } from '../runtime/types.js';
import type { Scheduler } from '../schedules/scheduler.js';
import type { Logger } from '../telemetry/logger.js';
import { silentLogger } from '../telemetry/logger.js';
import type { BatonMetrics } from '../telemetry/metrics.js';
import type { HealthResponse } from '../wire/api-types.js';
import type { AuthOptions } from './auth.js';
import { authenticate } from './auth.js';
import { BlobUploadMeter, type BlobUploadQuota, DEFAULT_BLOB_UPLOAD_QUOTA } from './blob-upload-quota.js';
import { limitBody } from './body-limit.js';
import { errorResponse, statusForError } from './error-response.js';
import { refuseForeignHosts } from './host-guard.js';
import { MethodNotAllowedError, RequestAbortedError, RouteNotFoundError } from './http-errors.js';
import { requireJsonBody } from './json-body.js';
import { metricsRoute } from './metrics-route.js';
import { observeRequests } from './observe-requests.js';
import { refuseForeignOrigins } from './origin-guard.js';
import { packageVersion } from './package-version.js';
import { agentRoutes } from './routes/agents.js';
import { approvalRoutes } from './routes/approvals.js';
import { blobRoutes } from './routes/blobs.js';
import { handoffRoutes } from './routes/handoffs.js';
import { hookRoutes } from './routes/hooks.js';
import { messageRoutes } from './routes/messages.js';
import { runnerRoutes } from './routes/runner.js';
import { runnerSecretRoutes } from './routes/runner-secrets.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import { sessionRoutes } from './routes/sessions.js';
import { streamRoutes } from './routes/stream.js';
import { taskRoutes } from './routes/tasks.js';
import { workerRoutes } from './routes/workers.js';
import { type RunnerAccess, runnerAccess } from './runner-access.js';
import type { ServerEnv } from './server-env.js';
import { refuseUnstorableUrl } from './url-guard.js';

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
  /** Told about every 500 (a server fault, never bad input), besides the log line. */
  onInternalError?: (error: unknown) => void;
  /**
   * Directories a delegated task's `repoRoot` (POST /v1/tasks, `delegate_code` at /mcp) must lie
   * under, by real path (default: the working directory); others are `403 repo_not_allowed`.
   */
  repoRoots?: readonly string[];
  /**
   * The interface the app is served on (default `127.0.0.1`, as {@link serve}): on a loopback
   * address the Host rule of "Browser safety" in docs/http.md always applies.
   */
  host?: string;
  /** More `Host` names to answer for (`--allowed-host`): `name` (any port) or `name:port`. */
  allowedHosts?: readonly string[];
  /** Origins whose web pages may call the API, answered with CORS headers (`--cors-origin`). */
  corsOrigins?: readonly string[];
  /** Where server faults (error) and aborted requests (debug) are logged; silent by default. */
  logger?: Logger;
  /**
   * The environment the app looks variables up in: the repositories delegated tasks name are
   * inspected with git in it (default: the process environment).
   */
  env?: Environment;
  /** The webhook channels mounted at `POST /hooks/<name>` (`baton serve` loads `channels/`). */
  webhooks?: WebhookReceiver;
  /** The agents' schedules, listed and triggered at `/v1/schedules` (none: an empty list). */
  scheduler?: Scheduler;
  /** Served at `GET /metrics` (Prometheus text), with HTTP request durations added; no route without it. */
  metrics?: BatonMetrics;
  /** `GET /metrics` answers without authentication (`--metrics-public`); default: behind the API's auth. */
  metricsPublic?: boolean;
  /**
   * Accept hand-offs (`POST /v1/handoffs` and the blob API at `/v1/blobs/:hash`) with this plane
   * key and secret source; no hand-off routes without it.
   */
  handoffs?: HandoffPlane;
  /** Largest blob a hand-off may upload in bytes (default 256 MiB). */
  blobLimit?: number;
  /**
   * What `/v1/blobs` newly stores per hour (default: 200,000 blobs, 16 GiB); past it, 429
   * `upload_quota_exceeded` with Retry-After.
   */
  blobUploadQuota?: BlobUploadQuota;
  /**
   * The runner API at `/v1/runner/:pool/...` (docs/handoff.md): which pools the plane serves to
   * runners and their tokens (`--runner-token`). Default: pool `default`, open only under `--auth none`.
   */
  runnerAccess?: RunnerAccess;
  /** What a runner may upload for one run (default: 1,000 blobs, 1 GiB); past it, 413 `blob_quota_exceeded`. */
  runnerBlobQuota?: RunnerBlobQuota;
}

/** The default largest uploaded blob: 256 MiB (a repository's bundle). */
export const DEFAULT_BLOB_LIMIT = 256 * 1024 * 1024;

/**
 * The route families web pages could reach, so the Origin and JSON-only rules cover them. A
 * family called by other servers (webhooks at `/hooks/*`, authenticated by their signature) is
 * mounted outside this list and keeps only the Host rule, which covers every route.
 */
const BROWSER_FACING_ROUTES = ['/v1/*', '/mcp'] as const;

/** Runners authenticate with their pool's runner token and upload blobs that are not JSON. */
const RUNNER_ROUTES = '/v1/runner';

/** Runs `middleware` on every request but the runner API's, which has its own auth and limits. */
function exceptRunnerRoutes(middleware: MiddlewareHandler<ServerEnv>): MiddlewareHandler<ServerEnv> {
  return (c, next) => (c.req.path.startsWith(`${RUNNER_ROUTES}/`) ? next() : middleware(c, next));
}

/**
 * The HTTP API as a Hono app (docs/http.md). Serve it with {@link serve}, or call
 * `app.request('/v1/health')` in tests without opening a port.
 */
export function createApp(options: AppOptions): Hono<ServerEnv> {
  const { runtime } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const version = options.version ?? packageVersion();
  const logger = options.logger ?? silentLogger;
  const auth = options.auth ?? { mode: 'none' };
  const app = new Hono<ServerEnv>();

  app.onError((error, c) => {
    // A client that hung up mid-upload is routine and nobody reads the answer: no stack, no alarm.
    if (error instanceof RequestAbortedError) logger.debug('request aborted', requestFields(c.req));
    else if (statusForError(error) === 500) {
      logger.error('internal error', { ...requestFields(c.req), error });
      options.onInternalError?.(error);
    }
    return errorResponse(error);
  });
  app.notFound((c) => errorResponse(new RouteNotFoundError(c.req.method, c.req.path)));
  app.use('*', observeRequests(options.metrics, logger));
  app.use(
    '*',
    refuseForeignHosts({
      host: options.host ?? '127.0.0.1',
      authMode: auth.mode,
      allowedHosts: options.allowedHosts ?? [],
    }),
    refuseUnstorableUrl(),
  );
  // Before method routing, so that listed origins get their CORS preflights (OPTIONS) answered.
  const originGuard = refuseForeignOrigins(options.corsOrigins ?? []);
  for (const family of BROWSER_FACING_ROUTES) app.use(family, originGuard);
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        errorResponse(new MethodNotAllowedError(c.req.method, c.req.path, allowed)),
    }),
  );

  // Health stays open whatever the auth mode, so load balancers can probe it.
  app.get('/v1/health', (c) => c.json({ ok: true, version } satisfies HealthResponse));
  const requireCaller = authenticate(auth);
  if (options.metrics)
    app.route('/', metricsRoute(options.metrics, options.metricsPublic ? undefined : requireCaller));
  // Blobs are bytes, not JSON, and larger than any JSON body: mounted before that rule.
  if (options.handoffs)
    app.route(
      '/v1',
      blobRoutes(
        runtime.store,
        requireCaller,
        options.blobLimit ?? DEFAULT_BLOB_LIMIT,
        new BlobUploadMeter(options.blobUploadQuota ?? DEFAULT_BLOB_UPLOAD_QUOTA),
      ),
    );
  for (const family of BROWSER_FACING_ROUTES)
    app.use(
      family,
      exceptRunnerRoutes(requireCaller),
      exceptRunnerRoutes(limitBody(limit)),
      exceptRunnerRoutes(requireJsonBody()),
    );
  const runners = new RunnerPlane(runtime.store, {
    ...(options.runnerBlobQuota && { blobQuota: options.runnerBlobQuota }),
  });
  const access = options.runnerAccess ?? runnerAccess([], auth.mode);
  app.route(RUNNER_ROUTES, runnerRoutes(runners, access, limit));
  if (options.handoffs)
    app.route(RUNNER_ROUTES, runnerSecretRoutes(runners, options.handoffs.secrets, access));

  if (options.webhooks) app.route('/', hookRoutes(options.webhooks, limit));
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
  if (options.scheduler) app.route('/v1', scheduleRoutes(options.scheduler));
  else app.get('/v1/schedules', (c) => c.json({ schedules: [] }));
  app.route('/v1', approvalRoutes(runtime));
  if (options.handoffs) app.route('/v1', handoffRoutes(runtime, options.handoffs));

  // Delegation: the task API and the MCP server (Streamable HTTP), behind the same auth and limit.
  const tasks = runtimeTaskService(runtime, {
    repoRoots: options.repoRoots ?? [process.cwd()],
    ...(options.env && { env: options.env }),
  });
  app.route('/v1', taskRoutes(tasks));
  const mcp = mcpHttpHandler({ tasks, version, approvals: runtime });
  app.all('/mcp', (c) => mcp(c.req.raw, c.var.caller));
  return app;
}

function requestFields(request: { method: string; path: string }): { method: string; path: string } {
  return { method: request.method, path: request.path };
}
