// `npm run bench http`: the HTTP plane on loopback. Sessions started per second through
// `POST /v1/sessions`, and fan-out: 1, 50 and 500 NDJSON readers (`follow=1`, bare HTTP readers
// or, with BENCH_READER_CLIENT=sdk, the client SDK; in a child process of their own) follow one
// session while this process — server and store — commits BENCH_EVENTS (default 100) events,
// one every 2 ms. Reported: delivery latency from
// the store's post-commit notification to each reader's receipt (p50/p99 over every copy), and
// the server's CPU per delivered event copy (its CPU over the burst, less a burst with no
// reader, over events × readers); beside them the readers' process's CPU per copy, the burst's
// length and the events per chunk the readers got (how far the server coalesced its writes):
// a burst that takes far longer than 2 ms × events, or readers busy for most of it, means the
// machine is saturated and the latency is queueing. BENCH_SESSIONS (default 500) tunes the start rate;
// BENCH_READERS (default `1,50,500`) the reader counts, e.g. `500` alone to profile fan-out.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { BatonClient } from '../src/client/index.js';
import { createClient } from '../src/client/index.js';
import { createRuntime, defineAgent, openStore, type Runtime, scriptedModel } from '../src/index.js';
import { createApp, serve } from '../src/server/index.js';
import { sharedNow } from './_child.js';
import type { ReadersMessage } from './_readers-child.js';
import { report } from './_report.js';
import { ascending, percentile } from './_stats.js';
import { loadAverage, ms, printTable } from './_table.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const READER_COUNTS = (process.env.BENCH_READERS ?? '1,50,500').split(',').map(Number);
const READERS_CHILD = fileURLToPath(new URL('./_readers-child.ts', import.meta.url));

const agent = defineAgent({
  name: 'echo',
  instructions: 'Repeat.',
  model: scriptedModel((request) => ({ text: `echo: ${request.lastUserText ?? ''}` })),
});

/** Sessions/s for `total` starts issued `concurrency` at a time. */
async function startRate(client: BatonClient, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await client.startSession({ agent: 'echo', message: `message ${next}` });
      }
    }),
  );
  return total / ((performance.now() - begin) / 1000);
}

/** The readers child, driven over IPC. */
class Readers {
  private readonly child;
  private readonly waiting = new Map<
    ReadersMessage['type'],
    { resolve: (message: ReadersMessage) => void; reject: (error: Error) => void }
  >();

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [...process.execArgv, READERS_CHILD, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: ReadersMessage) => this.waiting.get(message.type)?.resolve(message));
    this.child.on('exit', (code) => {
      for (const [type, { reject }] of this.waiting)
        reject(new Error(`readers child exited ${code} before "${type}"`));
    });
  }

  next<Type extends ReadersMessage['type']>(type: Type): Promise<Extract<ReadersMessage, { type: Type }>> {
    return new Promise((resolve, reject) => {
      const settle = (message: ReadersMessage) => {
        this.waiting.delete(type);
        resolve(message as Extract<ReadersMessage, { type: Type }>);
      };
      this.waiting.set(type, { resolve: settle, reject });
    });
  }

  /** The child's clock minus ours, from the ping with the shortest round trip. */
  async clockOffset(): Promise<number> {
    let best = { roundTrip: Number.POSITIVE_INFINITY, offset: 0 };
    for (let index = 0; index < 20; index += 1) {
      const sent = sharedNow();
      const pong = this.next('pong');
      this.child.send({ type: 'ping' });
      const { now } = await pong;
      const back = sharedNow();
      if (back - sent < best.roundTrip) best = { roundTrip: back - sent, offset: now - (sent + back) / 2 };
    }
    return best.offset;
  }
}

/** Commits `EVENTS` events to `sessionId`, one every 2 ms; their commit times by seq. */
async function burst(runtime: Runtime, sessionId: string, runId: string): Promise<Map<number, number>> {
  const committedAt = new Map<number, number>();
  const unsubscribe = runtime.store.subscribe(sessionId, (event) => committedAt.set(event.seq, sharedNow()));
  for (let iteration = 1; iteration <= EVENTS; iteration += 1) {
    await runtime.store.append(sessionId, [{ type: 'task.progress', data: { iteration, phase: 'bench' } }], {
      runId,
    });
    await sleep(2);
  }
  unsubscribe();
  return committedAt;
}

interface FanOut {
  latencies: number[];
  cpuMs: number;
  /** The readers child's CPU over the same burst: when it nears the burst's length, the latency is its queueing. */
  readersCpuMs: number;
  /** The burst's wall-clock length, from its first commit to the last reader's receipt. */
  wallMs: number;
  /** Chunks the readers got (bare readers only): over the copies, how far writes coalesced events. */
  chunks: number;
}

/** One burst followed by `readers` readers (0: the baseline, the store's own cost). */
async function fanOut(runtime: Runtime, url: string, readers: number): Promise<FanOut> {
  const { sessionId, runId } = await runtime.start({ agent: 'echo', message: 'fan-out' });
  const warmUp = await runtime.store.append(
    sessionId,
    [{ type: 'task.progress', data: { iteration: 0, phase: 'warm-up' } }],
    { runId },
  );
  const from = warmUp.at(-1)?.seq ?? 0;
  if (readers === 0) {
    const cpu = process.cpuUsage();
    await burst(runtime, sessionId, runId);
    const used = process.cpuUsage(cpu);
    return { latencies: [], cpuMs: (used.user + used.system) / 1000, readersCpuMs: 0, wallMs: 0, chunks: 0 };
  }
  const child = new Readers([url, sessionId, String(from), String(readers), String(from + EVENTS)]);
  await child.next('attached');
  const offset = await child.clockOffset();
  const received = child.next('received');
  const receipts = child.next('receipts');
  const cpu = process.cpuUsage();
  const begin = performance.now();
  const committedAt = await burst(runtime, sessionId, runId);
  const { cpuMs: readersCpuMs, chunks } = await received;
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - begin;
  const { bySeq } = await receipts;
  const latencies: number[] = [];
  for (const [seq, times] of Object.entries(bySeq)) {
    const committed = committedAt.get(Number(seq));
    if (committed !== undefined) for (const time of times) latencies.push(time - offset - committed);
  }
  return {
    latencies: ascending(latencies),
    cpuMs: (used.user + used.system) / 1000,
    readersCpuMs,
    wallMs,
    chunks,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-http-'));
const store = await openStore(join(dir, 'baton.db'));
// No workers: the runs stay queued, so the bench measures the HTTP plane and the store, not the loop.
const runtime = createRuntime({ store, agents: [agent] });
const server = await serve({ app: createApp({ runtime }), port: 0 });
const client = createClient({ baseUrl: server.url });
try {
  console.log(`http: loopback, SQLite store, no workers (${loadAverage()})\n`);
  await startRate(client, 50, 4);
  const sequential = await startRate(client, SESSIONS, 1);
  const parallel = await startRate(client, SESSIONS, 16);
  report('http.startsPerSecond.sequential', sequential);
  report('http.startsPerSecond.parallel', parallel);
  printTable(
    ['', 'sessions/s'],
    [
      [`sessions started, ${SESSIONS} one at a time`, sequential.toFixed(0)],
      [`sessions started, ${SESSIONS} with 16 in flight`, parallel.toFixed(0)],
    ],
  );
  await fanOut(runtime, server.url, 0); // Warm-up.
  const baseline = await fanOut(runtime, server.url, 0);
  const rows: string[][] = [];
  for (const readers of READER_COUNTS) {
    const { latencies, cpuMs, readersCpuMs, wallMs, chunks } = await fanOut(runtime, server.url, readers);
    const copies = EVENTS * readers;
    const microsPerCopy = (Math.max(0, cpuMs - baseline.cpuMs) * 1000) / copies;
    report(`http.readers${readers}.p50`, percentile(latencies, 50));
    report(`http.readers${readers}.p99`, percentile(latencies, 99));
    report(`http.readers${readers}.cpuMicrosPerCopy`, microsPerCopy);
    rows.push([
      `${readers} reader${readers === 1 ? '' : 's'}`,
      `${latencies.length} / ${copies}`,
      ms(percentile(latencies, 50)),
      ms(percentile(latencies, 99)),
      ms(latencies.at(-1) ?? Number.NaN),
      microsPerCopy.toFixed(1),
      ((readersCpuMs * 1000) / copies).toFixed(1),
      ms(wallMs),
      chunks > 0 ? (copies / chunks).toFixed(1) : '–',
    ]);
  }
  console.log(
    `\nfan-out: ${EVENTS} events, one every 2 ms; server CPU ${ms(baseline.cpuMs)} ms for a burst with no reader`,
  );
  printTable(
    [
      '',
      'copies',
      'p50 ms',
      'p99 ms',
      'max ms',
      'server CPU µs/copy',
      'readers CPU µs/copy',
      'burst ms',
      'events/chunk',
    ],
    rows,
  );
  console.log(`\n${loadAverage()}`);
} finally {
  await server.close({ graceMs: 100 });
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
