import type { Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { listenOnLoopback } from '../../src/testing/listen-on-loopback.js';

/** A loopback TCP proxy whose open connections a test can cut, to drop streams mid-flight. */
export interface TcpProxy {
  readonly url: string;
  /** Destroys every open connection (both sides), as a network failure would. */
  dropAll(): void;
  close(): Promise<void>;
}

/** Forwards `127.0.0.1:<free port>` to the given `http://host:port` URL. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const proxyPort = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
