// The HTTP plane on loopback: sessions started per second through `POST /v1/sessions`, and
// event delivery latency (commit → a stream reader has the event) with 1, 50 and 500
// concurrent NDJSON readers. Run: `npx tsx bench/http.ts` (BENCH_SESSIONS, BENCH_EVENTS tune it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatonClient } from '../src/client/index.js';
import { createClient } from '../src/client/index.js';
import type { Runtime } from '../src/index.js';
import { createRuntime, defineAgent, scriptedModel } from '../src/index.js';
import { createApp, serve } from '../src/server/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const READER_COUNTS = [1, 50, 500];

const agent = defineAgent({
  name: 'echo',
  instructions: 'Repeat.',
  model: scriptedModel((request) => ({ text: `echo: ${request.lastUserText ?? ''}` })),
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

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

/**
 * `readers` clients follow one session; the bench commits `EVENTS` events to it directly and
 * records, per event and reader, the time from the store's post-commit notification to the
 * reader's receipt.
 */
async function deliveryLatency(runtime: Runtime, client: BatonClient, readers: number): Promise<number[]> {
  const { sessionId, runId } = await runtime.start({ agent: 'echo', message: 'latency' });
  const base = (await runtime.store.head(sessionId))?.seq ?? 0;
  const committedAt = new Map<number, number>();
  const unsubscribe = runtime.store.subscribe(sessionId, (event) =>
    committedAt.set(event.seq, performance.now()),
  );
  const samples: number[] = [];
  const stop = new AbortController();
  let attached = 0;
  const reading = Array.from({ length: readers }, async () => {
    let counted = false;
    for await (const event of client.stream(sessionId, {
      from: base + 1,
      follow: true,
      signal: stop.signal,
    })) {
      const now = performance.now();
      if (!('seq' in event)) continue;
      if (!counted) {
        counted = true;
        attached += 1;
      }
      const committed = committedAt.get(event.seq);
      if (committed !== undefined && event.seq > base + 1) samples.push(now - committed);
      if (event.seq >= base + 1 + EVENTS) return;
    }
  });
  // A first event tells every reader is attached before measuring starts.
  await runtime.store.append(
    sessionId,
    [{ type: 'task.progress', data: { iteration: 0, phase: 'warm-up' } }],
    { runId },
  );
  while (attached < readers) await sleep(5);
  for (let iteration = 1; iteration <= EVENTS; iteration += 1) {
    await runtime.store.append(sessionId, [{ type: 'task.progress', data: { iteration, phase: 'bench' } }], {
      runId,
    });
    await sleep(2);
  }
  await Promise.all(reading);
  stop.abort();
  unsubscribe();
  return samples.sort((left, right) => left - right);
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-http-'));
const store = new SqliteStore(join(dir, 'baton.db'));
// No workers: the runs stay queued, so the bench measures the HTTP plane and the store, not the loop.
const runtime = createRuntime({ store, agents: [agent] });
const server = await serve({ app: createApp({ runtime }), port: 0 });
const client = createClient({ baseUrl: server.url });
try {
  await startRate(client, 50, 4);
  const sequential = await startRate(client, SESSIONS, 1);
  const parallel = await startRate(client, SESSIONS, 16);
  const rows: string[][] = [
    ['measure', 'value'],
    [`sessions started/s (${SESSIONS}, 1 at a time)`, sequential.toFixed(0)],
    [`sessions started/s (${SESSIONS}, 16 at a time)`, parallel.toFixed(0)],
  ];
  for (const readers of READER_COUNTS) {
    const samples = await deliveryLatency(runtime, client, readers);
    rows.push([
      `delivery p50 / p99 ms, ${readers} reader${readers === 1 ? '' : 's'} (${samples.length} samples)`,
      `${percentile(samples, 50).toFixed(2)} / ${percentile(samples, 99).toFixed(2)}`,
    ]);
  }
  const width = Math.max(...rows.map((row) => row[0]?.length ?? 0));
  console.log(`HTTP plane on loopback (SQLite store, ${EVENTS} events per latency run)\n`);
  for (const [label, value] of rows) console.log(`${(label ?? '').padEnd(width)}  ${value}`);
} finally {
  await server.close({ graceMs: 100 });
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
