import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ValidationError } from '../../core/errors.js';

/** A running allowlisting proxy, listening on a Unix socket that the sandbox gets bound in. */
export interface EgressProxy {
  /** Directory holding only the socket (bound read-only into the sandbox). */
  socketDir: string;
  socketPath: string;
  close(): Promise<void>;
}

// A hostname (or `*.` wildcard over a domain), optionally restricted to one port.
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * Checks and normalises `allowHosts` entries: `host`, `host:port` or `*.domain[:port]`, lower
 * case. A bare host allows every port of that host.
 */
export function parseAllowHosts(allowHosts: readonly string[]): string[] {
  return allowHosts.map((entry) => {
    const host = entry.trim().toLowerCase();
    if (!HOST_PATTERN.test(host)) {
      throw new ValidationError(
        `allowHosts entry ${JSON.stringify(entry)} is not a host name (host, host:port or *.domain)`,
        'allowHosts',
      );
    }
    return host;
  });
}

/** True when `host:port` is covered by one of the (normalised) allowlist entries. */
export function isHostAllowed(allowHosts: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowHosts.some((entry) => {
    const [pattern = '', entryPort] = entry.split(':');
    if (entryPort !== undefined && Number(entryPort) !== port) return false;
    return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : name === pattern;
  });
}

/**
 * Starts an HTTP(S) proxy on a fresh Unix socket that only reaches the allowed hosts: `CONNECT`
 * tunnels (HTTPS and anything else over TCP) and absolute-form plain HTTP requests. Everything
 * else is refused with 403, so a sandbox whose only way out is this socket reaches nothing more.
 * Hosts are matched by name as the client sent it; the proxy resolves them itself.
 */
export async function startEgressProxy(allowHosts: readonly string[]): Promise<EgressProxy> {
  const hosts = parseAllowHosts(allowHosts);
  const socketDir = await mkdtemp(join(tmpdir(), 'baton-egress-'));
  const socketPath = join(socketDir, 'proxy.sock');
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((req, res) => forwardPlainHttp(hosts, req, res));
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const target = parseAuthority(req.url ?? '');
    if (!target || !isHostAllowed(hosts, target.host, target.port)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketDir,
    socketPath,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

function forwardPlainHttp(hosts: readonly string[], req: IncomingMessage, res: ServerResponse): void {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    // Not an absolute URL, as a proxy request must be: the client gets its 400.
    res.writeHead(400).end();
    return;
  }
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'http:' || !isHostAllowed(hosts, host, port)) {
    res.writeHead(403).end();
    return;
  }
  const upstream = request(
    { host, port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** `host:port` of a CONNECT request (IPv6 literals in brackets), or undefined when malformed. */
function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}
