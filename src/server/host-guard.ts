import type { MiddlewareHandler } from 'hono';
import { UserError } from '../core/errors.js';
import type { AuthMode } from './auth.js';
import { HostRefusedError } from './http-errors.js';
import type { ServerEnv } from './server-env.js';

/** Names a loopback-bound server always answers for (with its port). */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for `localhost`, `127.x.x.x` and `::1`: interfaces only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** One `--allowed-host` entry: a host name or address, with a port when only that port counts. */
interface AllowedHost {
  hostname: string;
  port: number | undefined;
}

/** Options of {@link refuseForeignHosts}. */
export interface HostRuleOptions {
  /** The interface the server listens on. */
  host: string;
  authMode: AuthMode;
  /** `--allowed-host` entries: `name` (any port) or `name:port`. */
  allowedHosts: readonly string[];
}

/**
 * Parses an `--allowed-host` entry (`baton.example.com`, `10.0.0.5:7070`, `[fd00::1]:7070`);
 * `undefined` when it is not a host name with an optional port.
 */
export function parseAllowedHost(entry: string): AllowedHost | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:/?#@\s[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (match?.[1] === undefined || !URL.canParse(`http://${match[1]}`)) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { hostname: new URL(`http://${match[1]}`).hostname, port };
}

/**
 * The DNS-rebinding guard (docs/http.md, "Browser safety"). A page on `attacker.example` whose
 * name was re-pointed at 127.0.0.1 reaches a loopback server as same-origin, but its requests
 * still say `Host: attacker.example`; so when the server is bound to loopback or runs without
 * auth, the Host must name the listening host, a loopback name (with the listening port) or an
 * `--allowed-host`. On other binds it applies only once `--allowed-host` is given, so a load
 * balancer that forwards its own Host keeps working. It covers every route.
 */
export function refuseForeignHosts(options: HostRuleOptions): MiddlewareHandler<ServerEnv> {
  const allowed = options.allowedHosts.map((entry) => {
    const parsed = parseAllowedHost(entry);
    if (parsed === undefined) {
      throw new UserError(
        'invalid_allowed_host',
        `allowed host ${JSON.stringify(entry)} is not a host name, or name:port`,
      );
    }
    return parsed;
  });
  const applies = isLoopbackHost(options.host) || options.authMode === 'none' || allowed.length > 0;
  const listeningNames = new Set(LOOPBACK_NAMES);
  const bound = parseAllowedHost(options.host.includes(':') ? `[${options.host}]` : options.host);
  if (bound !== undefined && !['0.0.0.0', '[::]'].includes(bound.hostname))
    listeningNames.add(bound.hostname);

  return async function refuseForeignHost(c, next) {
    if (!applies) return next();
    // The URL's authority is the Host header, parsed and normalised by the HTTP adapter.
    const url = new URL(c.req.url);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const listeningPort = localPort(c.env);
    const isListeningName =
      listeningNames.has(url.hostname) && (listeningPort === undefined || port === listeningPort);
    const isAllowed = allowed.some(
      (entry) => entry.hostname === url.hostname && (entry.port === undefined || entry.port === port),
    );
    if (!isListeningName && !isAllowed) throw new HostRefusedError(c.req.header('host') ?? url.host);
    await next();
  };
}

/**
 * The port the request arrived on, from the Node socket `@hono/node-server` passes as the env;
 * `undefined` for in-process `app.request()` calls, which have no socket.
 */
function localPort(env: unknown): number | undefined {
  const port = (env as { incoming?: { socket?: { localPort?: unknown } } } | undefined)?.incoming?.socket
    ?.localPort;
  return typeof port === 'number' ? port : undefined;
}
