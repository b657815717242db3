// `npm run bench tracing`: the per-step cost of observability. A run of BENCH_TRACING_STEPS steps
// (default 40; one tool call each) is executed on SQLite with tracing off, and with every span
// exported through a batch processor to an in-memory exporter (plus the metrics), alternately,
// BENCH_TRACING_ROUNDS times (default 16, after BENCH_TRACING_WARMUP runs of each, default 4).
// Reported: the median wall and CPU time per step of each mode with their spread (min–max of the
// rounds), and the overhead of tracing, of the medians and paired round by round (median and
// spread of the pairs); issue 17's target is ≤ 5 % (CPU).
//
// Each mode has one store and one runtime for all its rounds, opened before the warm-up, as a
// server has. A store opened per round starts its WAL checkpoint thread, whose start-up (about
// 60 ms of CPU under load, more than a whole 40-step run) is counted by `process.cpuUsage` in
// whichever run overlaps it, and more of it in the longer (traced) run: noise as large as the
// effect measured, leaning towards the traced side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import type { Runtime, Store } from '../src/index.js';
import { createRuntime, defineAgent, openStore, scriptedModel, tool } from '../src/index.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { report } from './_report.js';
import { ascending, median, percentile } from './_stats.js';
import { loadAverage, printTable } from './_table.js';

const STEPS = Number(process.env.BENCH_TRACING_STEPS ?? 40);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 16);
const WARMUP = Number(process.env.BENCH_TRACING_WARMUP ?? 4);

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

/** A mode's store and runtime, kept for all its rounds. */
interface Mode {
  traced: boolean;
  store: Store;
  runtime: Runtime;
}

async function openMode(traced: boolean): Promise<Mode> {
  const store = await openStore(join(dir, `${traced ? 'on' : 'off'}.db`));
  const runtime = createRuntime({
    store,
    agents: [agent],
    ...(traced && { tracerProvider, metrics: createMetrics() }),
  });
  return { traced, store, runtime };
}

/** The cost per step of one run. */
async function perStep({ traced, runtime }: Mode): Promise<StepCost> {
  const { runId } = await runtime.start({ agent: 'traced', message: 'go' });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const run = await runtime.execute(runId);
  // Every span of the run is exported inside the measured time.
  if (traced) await tracerProvider.forceFlush();
  const cpu = process.cpuUsage(cpuBefore);
  if (run.status !== 'succeeded') throw new Error(`the bench run ended ${run.status}`);
  // The same work on both sides: a chat span per step and a tool span per tool call, all exported.
  if (traced && exporter.getFinishedSpans().length < 2 * STEPS - 1) throw new Error('spans went missing');
  exporter.reset();
  return { wall: (performance.now() - started) / STEPS, cpu: (cpu.user + cpu.system) / 1000 / STEPS };
}

const modes: Mode[] = [];
try {
  console.log(
    `tracing overhead: ${ROUNDS} interleaved rounds of a ${STEPS}-step run on SQLite, ` +
      `after ${WARMUP} warm-up runs of each mode (${loadAverage()})`,
  );
  const off = await openMode(false);
  const on = await openMode(true);
  modes.push(off, on);
  for (let run = 0; run < WARMUP; run += 1) {
    await perStep(off);
    await perStep(on);
  }
  const offCosts: StepCost[] = [];
  const onCosts: StepCost[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating which mode goes first cancels drift in the machine's load.
    if (round % 2 === 0) {
      offCosts.push(await perStep(off));
      onCosts.push(await perStep(on));
    } else {
      onCosts.push(await perStep(on));
      offCosts.push(await perStep(off));
    }
  }
  const range = (values: number[], digits: number, unit: string) => {
    const sorted = ascending(values);
    return `${(sorted[0] ?? 0).toFixed(digits)}–${(sorted.at(-1) ?? 0).toFixed(digits)}${unit}`;
  };
  const row = (mode: string, costs: StepCost[]) => {
    const wall = costs.map((cost) => cost.wall);
    const cpu = costs.map((cost) => cost.cpu);
    return [
      mode,
      `${median(wall).toFixed(3)} ms`,
      range(wall, 3, ' ms'),
      `${median(cpu).toFixed(3)} ms`,
      range(cpu, 3, ' ms'),
    ];
  };
  const pct = (traced: number, plain: number) => ((traced - plain) / plain) * 100;
  // CPU time is what tracing adds; on a shared machine wall time mostly measures the neighbours.
  // The paired figures compare each round's two runs, made back to back under the same load.
  const overhead = (pick: (cost: StepCost) => number) => {
    const pairs = onCosts.map((cost, round) => pct(pick(cost), pick(offCosts[round] as StepCost)));
    const sorted = ascending(pairs);
    return {
      ofMedians: pct(median(onCosts.map(pick)), median(offCosts.map(pick))),
      paired: median(pairs),
      quartiles: `${percentile(sorted, 25).toFixed(1)}–${percentile(sorted, 75).toFixed(1)} %`,
      spread: range(pairs, 1, ' %'),
    };
  };
  const wall = overhead((cost) => cost.wall);
  const cpu = overhead((cost) => cost.cpu);
  printTable(
    ['mode', 'median wall per step', 'spread (min–max)', 'median CPU per step', 'spread (min–max)'],
    [row('tracing off', offCosts), row('tracing on (in-memory exporter, metrics)', onCosts)],
  );
  console.log('');
  printTable(
    ['overhead of tracing per step', 'of the medians', 'paired (median)', 'pairs p25–p75', 'pairs min–max'],
    [
      [
        'CPU (target ≤ 5 %)',
        `${cpu.ofMedians.toFixed(1)} %`,
        `${cpu.paired.toFixed(1)} %`,
        cpu.quartiles,
        cpu.spread,
      ],
      ['wall', `${wall.ofMedians.toFixed(1)} %`, `${wall.paired.toFixed(1)} %`, wall.quartiles, wall.spread],
    ],
  );
  console.log(`(end: ${loadAverage()})`);
  report('tracing.stepOffMs', median(offCosts.map((cost) => cost.wall)));
  report('tracing.stepOnMs', median(onCosts.map((cost) => cost.wall)));
  report('tracing.overheadPct', wall.ofMedians);
  report('tracing.cpuOverheadPct', cpu.paired);
} finally {
  for (const { runtime, store } of modes) {
    await runtime.close();
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}
