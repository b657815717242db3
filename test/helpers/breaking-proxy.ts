import { createServer, type Server, Socket } from 'node:net';

/** What a {@link BreakingProxy} does to the next request: nothing, or break it at one moment. */
export type Cut = 'none' | 'answer' | 'request' | 'mid-request' | 'unavailable' | 'everything';

/** A loopback TCP proxy that breaks connections on request, in front of a target that may move. */
export interface BreakingProxy {
  readonly url: string;
  /**
   * `answer`: the next request reaches the target, its answer is cut; `request`: the next one
   * is cut before it arrives; `mid-request`: after its first piece; `everything`: every
   * connection is cut (until told `none`); `unavailable`: the next request is answered `503`
   * by the proxy, as a load balancer does while the server behind it restarts.
   */
  cut(what: Cut): void;
  close(): Promise<void>;
}

/** Forwards a free loopback port to `target()` (read per connection: a restarted server may have a new port). */
export async function startBreakingProxy(target: () => URL): Promise<BreakingProxy> {
  let next: Cut = 'none';
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (next === 'everything') {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.connect(Number(target().port), target().hostname);
    client.on('data', (bytes) => {
      if (next === 'unavailable') {
        next = 'none';
        client.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        upstream.destroy();
        return;
      }
      if (next === 'mid-request') {
        // The plane reads the start of the request, then the connection breaks.
        next = 'request';
        upstream.write(bytes);
        return;
      }
      if (next === 'request' || next === 'everything') {
        if (next === 'request') next = 'none';
        // The plane never sees the request: the socket resets as it went out.
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(bytes);
    });
    upstream.on('data', (bytes) => {
      if (next === 'answer') {
        next = 'none';
        // The plane executed the request; its answer never reaches the runner.
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(bytes);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: (what) => {
      next = what;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
