// `npm run bench tracing`: the per-step cost of observability. A run of BENCH_TRACING_STEPS steps
// (default 40; one tool call each) is executed on SQLite with tracing off, and with every span
// exported to an in-memory exporter (plus the metrics), alternately, BENCH_TRACING_ROUNDS times
// (default 12). Reported: the median time per step of each mode, its spread (min–max of the
// rounds) and the overhead of tracing; issue 17's target is ≤ 5 %.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { createRuntime, defineAgent, openStore, scriptedModel, tool } from '../src/index.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { report } from './_report.js';
import { ascending, median } from './_stats.js';
import { loadAverage, printTable } from './_table.js';

const STEPS = Number(process.env.BENCH_TRACING_STEPS ?? 40);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 12);

const agent = defineAgent({
  name: 'traced',
  instructions: 'Step, then answer.',
  limits: { maxSteps: STEPS + 1 },
  tools: [
    tool({
      name: 'step',
      description: 'one step',
      inputSchema: z.object({ i: z.number() }),
      execute: ({ i }) => ({ i }),
    }),
  ],
  model: scriptedModel((request) =>
    request.step < STEPS - 1
      ? { toolCalls: [{ name: 'step', input: { i: request.step } }] }
      : { text: 'done' },
  ),
});

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-tracing-'));
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

/** Milliseconds per step of one run, on a fresh SQLite file. */
async function perStep(traced: boolean, round: number): Promise<number> {
  const store = await openStore(join(dir, `${traced ? 'on' : 'off'}-${round}.db`));
  const runtime = createRuntime({
    store,
    agents: [agent],
    ...(traced && { tracerProvider, metrics: createMetrics() }),
  });
  try {
    const { runId } = await runtime.start({ agent: 'traced', message: 'go' });
    const started = performance.now();
    const run = await runtime.execute(runId);
    if (run.status !== 'succeeded') throw new Error(`the bench run ended ${run.status}`);
    return (performance.now() - started) / STEPS;
  } finally {
    await runtime.close();
    await store.close();
    exporter.reset();
  }
}

try {
  console.log(
    `tracing overhead: ${ROUNDS} interleaved rounds of a ${STEPS}-step run on SQLite (${loadAverage()})`,
  );
  await perStep(false, -1);
  await perStep(true, -1);
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating which mode goes first cancels drift in the machine's load.
    if (round % 2 === 0) {
      off.push(await perStep(false, round));
      on.push(await perStep(true, round));
    } else {
      on.push(await perStep(true, round));
      off.push(await perStep(false, round));
    }
  }
  const spread = (values: number[]) => {
    const sorted = ascending(values);
    return `${(sorted[0] ?? 0).toFixed(3)}–${(sorted.at(-1) ?? 0).toFixed(3)} ms`;
  };
  const offMedian = median(off);
  const onMedian = median(on);
  const overhead = ((onMedian - offMedian) / offMedian) * 100;
  printTable(
    ['mode', 'median per step', 'spread (min–max)'],
    [
      ['tracing off', `${offMedian.toFixed(3)} ms`, spread(off)],
      ['tracing on (in-memory exporter, metrics)', `${onMedian.toFixed(3)} ms`, spread(on)],
    ],
  );
  console.log(`\noverhead of tracing per step: ${overhead.toFixed(1)} % (target ≤ 5 %)`);
  report('tracing.stepOffMs', offMedian);
  report('tracing.stepOnMs', onMedian);
  report('tracing.overheadPct', overhead);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
