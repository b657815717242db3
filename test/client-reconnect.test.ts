import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../src/client/index.js';
import { BatonApiError, createClient, StreamFormatError } from '../src/client/index.js';
import { listenOnLoopback } from '../src/testing/listen-on-loopback.js';

/** One scripted answer per request to the stream route, in order. */
type Answer = (response: ServerResponse, from: number) => void;

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A real HTTP server that answers successive stream requests as scripted and records `from`. */
async function scriptedServer(answers: Answer[]): Promise<{ url: string; froms: number[] }> {
  const froms: number[] = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const from = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('from'));
    froms.push(from);
    const answer = answers[froms.length - 1];
    if (answer === undefined) {
      response.writeHead(500).end();
      return;
    }
    answer(response, from);
  });
  return { url: `http://127.0.0.1:${await listenOnLoopback(server)}`, froms };
}

const event = (seq: number) => ({
  seq,
  sessionId: 's',
  runId: 'r',
  type: 'step.started',
  ts: '',
  data: { step: seq },
  hash: '',
});
const line = (seq: number) => `${JSON.stringify(event(seq))}\n`;

/** Writes the given events, then cuts the TCP connection without ending the response. */
const cutAfter =
  (...seqs: number[]): Answer =>
  (response) => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.write(seqs.map(line).join(''), () => setTimeout(() => response.socket?.destroy(), 20));
  };
const endWith =
  (...seqs: number[]): Answer =>
  (response) => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.end(seqs.map(line).join(''));
  };
const errorJson =
  (status: number, code: string): Answer =>
  (response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code, message: `${code} happened` } }));
  };

async function collect(events: AsyncIterable<StreamEvent>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const item of events) if ('seq' in item) seqs.push(item.seq);
  return seqs;
}

describe('client stream reconnects', () => {
  it('retries a 5xx, resumes after a cut connection from the last seq + 1, and ends on a clean end', async () => {
    const { url, froms } = await scriptedServer([
      errorJson(503, 'unavailable'),
      cutAfter(0, 1),
      endWith(2, 3),
    ]);
    expect(await collect(createClient({ baseUrl: url }).stream('s'))).toEqual([0, 1, 2, 3]);
    expect(froms).toEqual([0, 0, 2]);
  });

  it('drops events a server repeats below the resume point', async () => {
    const { url } = await scriptedServer([cutAfter(5, 6), endWith(6, 7)]);
    expect(await collect(createClient({ baseUrl: url }).stream('s', { from: 5 }))).toEqual([5, 6, 7]);
  });

  it('throws a 4xx at once as BatonApiError', async () => {
    const { url, froms } = await scriptedServer([errorJson(404, 'not_found')]);
    const failure = await collect(createClient({ baseUrl: url }).stream('s')).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BatonApiError);
    expect(failure).toMatchObject({ status: 404, code: 'not_found' });
    expect(froms).toEqual([0]);
  });

  it('gives up after maxReconnects consecutive failures', async () => {
    const { url, froms } = await scriptedServer([
      errorJson(502, 'bad_gateway'),
      errorJson(502, 'bad_gateway'),
      errorJson(502, 'bad_gateway'),
    ]);
    const failure = await collect(createClient({ baseUrl: url }).stream('s', { maxReconnects: 2 })).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ status: 502, code: 'bad_gateway' });
    expect(froms).toHaveLength(3);
  });

  it('refuses a line longer than maxLineLength instead of buffering it', async () => {
    const { url } = await scriptedServer([
      (response) => {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        response.end(`{"seq":0,"pad":"${'x'.repeat(5000)}"}\n`);
      },
    ]);
    const failure = await collect(createClient({ baseUrl: url }).stream('s', { maxLineLength: 1000 })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StreamFormatError);
  });
});
