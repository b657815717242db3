// `npm run bench approvals`: what a wait for a person costs (issue 14). (1) Decision request →
// tool started: a worker parks a run on an approval; the time from `decide()` being called to
// the approved tool's `execute` starting (the decision's commit, the re-queue, a worker claiming
// the run, replaying it and committing `tool.started`), p50/p99 over BENCH_APPROVALS (default
// 60) approvals, on SQLite and on Postgres. (2) BENCH_WAITING (default 1,000) runs parked at
// once: the worker's RSS, and how many runs are running or hold a lease (the slots in use).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import {
  createRuntime,
  defineAgent,
  openStore,
  type Runtime,
  type Store,
  scriptedModel,
  tool,
} from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { dropSchema, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { report } from './_report.js';
import { percentile } from './_stats.js';
import { loadAverage, ms, printTable } from './_table.js';

const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 60);
const WAITING = Number(process.env.BENCH_WAITING ?? 1_000);
const WORKER_CONCURRENCY = 8;

/** When each session's approved tool started (performance.now()), awaited by the timer. */
const toolStarted = new Map<string, (at: number) => void>();

const agent = defineAgent({
  name: 'gated',
  instructions: 'Charge.',
  tools: [
    tool({
      name: 'charge',
      description: 'Charges a card',
      inputSchema: z.object({ cents: z.number() }),
      needsApproval: true,
      execute: ({ cents }, context) => {
        toolStarted.get(context.sessionId)?.(performance.now());
        return { charged: cents };
      },
    }),
  ],
  model: scriptedModel((request) =>
    request.lastRole === 'tool' ? { text: 'done' } : { toolCalls: [{ name: 'charge', input: { cents: 1 } }] },
  ),
});

async function parked(runtime: Runtime, sessionId: string) {
  return waitFor(
    async () => {
      const session = await runtime.getSession(sessionId);
      return session.status === 'waiting' && session.pendingApprovals[0];
    },
    { timeoutMs: 60_000, intervalMs: 2, message: `session ${sessionId} to wait` },
  );
}

/** Milliseconds from `decide()` to the approved tool starting, once per approval. */
async function decisionToTool(runtime: Runtime): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < APPROVALS + 5; index += 1) {
    const { sessionId } = await runtime.start({ agent: 'gated', message: 'charge' });
    const approval = await parked(runtime, sessionId);
    const started = new Promise<number>((resolve) => toolStarted.set(sessionId, resolve));
    const decidedAt = performance.now();
    await runtime.decide(approval.approvalId, { decision: 'approve', inputHash: approval.inputHash });
    const latency = (await started) - decidedAt;
    toolStarted.delete(sessionId);
    if (index >= 5) samples.push(latency); // The first few warm up the process.
  }
  return samples.sort((a, b) => a - b);
}

/** Parks `WAITING` runs with a worker running until idle; what the worker holds afterwards. */
async function manyWaiting(runtime: Runtime, store: Store) {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  for (let index = 0; index < WAITING; index += 1) await runtime.start({ agent: 'gated', message: 'charge' });
  const worker = runtime.startWorker({ concurrency: WORKER_CONCURRENCY, untilIdle: true });
  // `untilIdle` resolves once nothing is runnable: waiting runs do not keep it busy.
  await worker.done;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const count = async (status: 'waiting' | 'running' | 'queued') => {
    let total = 0;
    let leased = 0;
    let cursor: string | undefined;
    do {
      const page = await store.listRuns({ status: [status], limit: 500, ...(cursor && { cursor }) });
      total += page.items.length;
      leased += page.items.filter((run) => run.lease !== null).length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { total, leased };
  };
  return { waiting: await count('waiting'), running: await count('running'), rssBefore, rssAfter };
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-approvals-'));
const schema = uniqueSchema('bench_approvals');
const stores: [string, string][] = [
  ['SQLite', join(dir, 'approvals.db')],
  ['Postgres', schemaUrl(schema)],
];
console.log(`approvals: decision → tool started, and ${WAITING} waiting runs (${loadAverage()})\n`);
const latencyRows: string[][] = [];
const waitingRows: string[][] = [];
try {
  for (const [name, spec] of stores) {
    const store = await openStore(spec);
    const runtime = createRuntime({ store, agents: [agent] });
    const worker = runtime.startWorker({ concurrency: WORKER_CONCURRENCY });
    try {
      const samples = await decisionToTool(runtime);
      const [p50, p99] = [percentile(samples, 50), percentile(samples, 99)];
      report(`approvals.${name.toLowerCase()}.p50`, p50);
      report(`approvals.${name.toLowerCase()}.p99`, p99);
      latencyRows.push([name, String(samples.length), ms(p50), ms(p99)]);
      await worker.stop();
      const held = await manyWaiting(runtime, store);
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      report(`approvals.${name.toLowerCase()}.waitingRssMiB`, held.rssAfter / 2 ** 20);
      waitingRows.push([
        name,
        String(held.waiting.total),
        String(held.waiting.leased),
        String(held.running.total),
        `${mib(held.rssBefore)} → ${mib(held.rssAfter)}`,
      ]);
    } finally {
      await worker.stop();
      await runtime.close();
      await store.close();
    }
  }
  printTable(['store', 'approvals', 'decide → tool.started p50 (ms)', 'p99 (ms)'], latencyRows);
  console.log('');
  printTable(['store', 'runs waiting', 'of them leased', 'runs running (slots in use)', 'RSS'], waitingRows);
  console.log(`\n${loadAverage()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
}
