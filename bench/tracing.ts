// `npm run bench tracing`: the per-step cost of observability. A run of BENCH_TRACING_STEPS steps
// (default 40; one tool call each) is executed on SQLite with tracing off, and with every span
// exported through a batch processor to an in-memory exporter (plus the metrics), alternately,
// BENCH_TRACING_ROUNDS times (default 12). Reported: the median wall and CPU time per step of each mode, their spread
// (min–max of the rounds) and the overhead of tracing, of the medians and paired round by round;
// issue 17's target is ≤ 5 %.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
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
// The pipeline `createOtlpTracerProvider` builds (a batch processor), into memory instead of OTLP.
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });

/** Wall and CPU milliseconds per step of one run. */
interface StepCost {
  wall: number;
  cpu: number;
}

/** The cost per step of one run, on a fresh SQLite file. */
async function perStep(traced: boolean, round: number): Promise<StepCost> {
  const store = await openStore(join(dir, `${traced ? 'on' : 'off'}-${round}.db`));
  const runtime = createRuntime({
    store,
    agents: [agent],
    ...(traced && { tracerProvider, metrics: createMetrics() }),
  });
  try {
    const { runId } = await runtime.start({ agent: 'traced', message: 'go' });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const run = await runtime.execute(runId);
    // Every span of the run is exported inside the measured time.
    if (traced) await tracerProvider.forceFlush();
    const cpu = process.cpuUsage(cpuBefore);
    if (run.status !== 'succeeded') throw new Error(`the bench run ended ${run.status}`);
    return { wall: (performance.now() - started) / STEPS, cpu: (cpu.user + cpu.system) / 1000 / STEPS };
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
  const off: StepCost[] = [];
  const on: StepCost[] = [];
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
  const row = (mode: string, costs: StepCost[]) => {
    const wall = costs.map((cost) => cost.wall);
    const cpu = costs.map((cost) => cost.cpu);
    return [mode, `${median(wall).toFixed(3)} ms`, spread(wall), `${median(cpu).toFixed(3)} ms`, spread(cpu)];
  };
  const pct = (traced: number, plain: number) => ((traced - plain) / plain) * 100;
  // CPU time is what tracing adds; on a shared machine wall time mostly measures the neighbours.
  // The paired figure compares each round's two runs, made back to back under the same load.
  const overhead = (pick: (cost: StepCost) => number) => ({
    ofMedians: pct(median(on.map(pick)), median(off.map(pick))),
    paired: median(on.map((cost, round) => pct(pick(cost), pick(off[round] as StepCost)))),
  });
  const wall = overhead((cost) => cost.wall);
  const cpu = overhead((cost) => cost.cpu);
  printTable(
    ['mode', 'median wall per step', 'spread (min–max)', 'median CPU per step', 'spread (min–max)'],
    [row('tracing off', off), row('tracing on (in-memory exporter, metrics)', on)],
  );
  console.log(
    `\noverhead of tracing per step: wall ${wall.ofMedians.toFixed(1)} % (paired ${wall.paired.toFixed(1)} %), ` +
      `CPU ${cpu.ofMedians.toFixed(1)} % (paired ${cpu.paired.toFixed(1)} %) (target ≤ 5 %)`,
  );
  report('tracing.stepOffMs', median(off.map((cost) => cost.wall)));
  report('tracing.stepOnMs', median(on.map((cost) => cost.wall)));
  report('tracing.overheadPct', wall.ofMedians);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
