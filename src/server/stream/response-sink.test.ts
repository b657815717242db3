import { once } from 'node:events';
import { Agent, createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameBatch } from './frame-batch.js';
import { responseSink } from './response-sink.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server whose every request is answered by `answer`, with the head of a stream sent. */
async function listen(answer: (response: ServerResponse) => void): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.flushHeaders();
    answer(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const line = (index: number, size = 0) =>
  new TextEncoder().encode(`${JSON.stringify({ index, pad: 'x'.repeat(size) })}\n`);

async function bodyOf(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let body = '';
  for await (const chunk of response) body += chunk;
  return body;
}

describe('responseSink', () => {
  it('writes batches a client reads as the chunked body, and hears of room once a full socket drains', async () => {
    const frames = Array.from({ length: 400 }, (_, index) => line(index, 50_000));
    let fullAt: number | undefined;
    let roomHeard = false;
    const url = await listen((response) => {
      const sink = responseSink(response);
      let next = 0;
      const pump = (): void => {
        while (next < frames.length) {
          const frame = frames[next] as Uint8Array;
          next += 1;
          if (!sink.write(new FrameBatch([frame]))) {
            fullAt ??= next;
            return;
          }
        }
        sink.end();
      };
      sink.onRoom(() => {
        roomHeard = true;
        pump();
      });
      response.once('close', () => sink.release());
      pump();
    });
    const response = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
    // Reads nothing until the server has filled the socket.
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fullAt).toBeLessThan(frames.length);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    const lines = (await bodyOf(response)).split('\n').filter(Boolean);
    expect(roomHeard).toBe(true);
    expect(lines.map((text) => (JSON.parse(text) as { index: number }).index)).toEqual(
      frames.map((_, index) => index),
    );
  });

  it('leaves a kept-alive connection ready for the next request once the body ended', async () => {
    const url = await listen((response) => {
      const sink = responseSink(response);
      sink.write(new FrameBatch([line(1), line(2)]));
      sink.write(new FrameBatch([line(3)]));
      sink.end();
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(async () => agent.destroy());
    const fetchBody = () =>
      new Promise<{ body: Promise<string>; reused: boolean }>((resolve) => {
        const request = get(url, { agent }, (response) =>
          resolve({ body: bodyOf(response), reused: request.reusedSocket }),
        );
      });
    const first = await fetchBody();
    expect(await first.body).toBe(
      `${['1', '2', '3'].map((index) => `{"index":${index},"pad":""}`).join('\n')}\n`,
    );
    const second = await fetchBody();
    expect(second.reused).toBe(true);
    expect(await second.body).toBe(await first.body);
  });

  it('sends an HTTP/1.0 client the bytes unframed (its body is not chunked)', async () => {
    const url = await listen((response) => {
      const sink = responseSink(response);
      sink.write(new FrameBatch([line(1)]));
      sink.end();
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.end('GET / HTTP/1.0\r\n\r\n');
    let raw = '';
    for await (const chunk of socket) raw += chunk;
    expect(raw.split('\r\n\r\n')[1]).toBe('{"index":1,"pad":""}\n');
    expect(raw).not.toMatch(/transfer-encoding/i);
  });

  it('puts on the wire the bytes response.write would, for small, large, several and no frames', async () => {
    const batches = [[line(1)], [line(2, 40_000)], [line(3), line(4, 20_000), line(5)], [], [line(6)]].map(
      (frames) => new FrameBatch(frames),
    );
    const rawBody = async (url: string) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('latin1');
      return raw.slice(raw.indexOf('\r\n\r\n') + 4);
    };
    const viaSink = await listen((response) => {
      const sink = responseSink(response);
      for (const batch of batches) sink.write(batch);
      sink.end();
    });
    const viaResponse = await listen((response) => {
      for (const batch of batches) response.write(batch.bytes);
      response.end();
    });
    const expected = await rawBody(viaResponse);
    expect(expected).toMatch(/^[0-9a-f]+\r\n/);
    expect(await rawBody(viaSink)).toBe(expected);
  });
});
