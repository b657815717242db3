import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { UserError } from '../core/errors.js';
import { isLoopbackHost } from './host-guard.js';
import { OriginRefusedError } from './http-errors.js';
import type { ServerEnv } from './server-env.js';

/** Request headers a listed origin's pages may send: auth, JSON, stream resume and MCP's own. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
];
/** Response headers those pages may read. */
const EXPOSED_HEADERS = ['location', 'www-authenticate', 'mcp-session-id'];

/**
 * `scheme://host[:port]` for a `--cors-origin` value, or `undefined` when it is not exactly an
 * origin (a path, query, credentials or a scheme other than http/https).
 */
export function parseOrigin(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return value.replace(/\/$/, '').toLowerCase() === url.origin ? url.origin : undefined;
}

/**
 * The cross-site guard (docs/http.md, "Browser safety"). Browsers send `Origin` with every
 * cross-origin request and with same-origin POSTs; a request whose Origin is neither this
 * server's own (same host and port as the request) nor listed with `--cors-origin` is refused
 * with 403 before authentication, so a page the user visits cannot drive the API with the
 * browser's cached credentials. Listed origins get CORS headers and answered preflights.
 * Requests without `Origin` (curl, SDKs, other servers) pass.
 */
export function refuseForeignOrigins(corsOrigins: readonly string[]): MiddlewareHandler<ServerEnv> {
  const listed = corsOrigins.map((entry) => {
    const origin = parseOrigin(entry);
    if (origin === undefined) {
      throw new UserError(
        'invalid_cors_origin',
        `CORS origin ${JSON.stringify(entry)} is not an origin such as https://app.example`,
      );
    }
    return origin;
  });
  const answerCors = cors({
    origin: listed,
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return async function refuseForeignOrigin(c, next) {
    const origin = c.req.header('origin');
    if (origin === undefined || isOwnOrigin(origin, c.req.url)) return next();
    if (!listed.includes(origin)) throw new OriginRefusedError(origin);
    return answerCors(c, next);
  };
}

/**
 * Same host and port as the request itself. The scheme is not compared: behind a TLS-terminating
 * proxy the page is `https://` while the request reaching this server is plain http. On a
 * loopback request every loopback name is the same server: a page opened as
 * `http://localhost:7070` calling `http://127.0.0.1:7070` is this server's own.
 */
function isOwnOrigin(origin: string, requestUrl: string): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (origin !== url.origin) return false;
  const request = new URL(requestUrl);
  if (url.host === request.host) return true;
  return url.port === request.port && isLoopbackHost(url.hostname) && isLoopbackHost(request.hostname);
}
