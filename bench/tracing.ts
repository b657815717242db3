// `npm run bench tracing`: the per-step cost of observability. A run of BENCH_TRACING_STEPS steps
// (default 200; one tool call each) is executed in three modes on SQLite and on the in-memory
// store: bare (no metrics, no tracing), tracing off (the metrics every `baton` command keeps) and
// tracing on (those metrics plus every span exported through a batch processor to an in-memory
// exporter). The six modes run alternately, BENCH_TRACING_ROUNDS times (default 40, after
// BENCH_TRACING_WARMUP runs of each, default 30), each measured run after an unmeasured one of
// its own mode. Reported: the median wall and CPU time per step of each mode with their spread
// (min–max of the rounds), and two overheads, of the medians and paired round by round (median
// and spread of the pairs): tracing (on against off, issue 17's target ≤ 5 % CPU on SQLite) and
// all observability (on against bare). Interleaved with them, the same spans made by the
// OpenTelemetry SDK alone, with no Baton code: the share of the step that tracing cannot cost
// less than.
//
// Each mode has one store and one runtime for all its rounds, opened before the warm-up, as a
// server has. A store opened per round starts its WAL checkpoint thread, whose start-up (about
// 60 ms of CPU under load, more than a whole 40-step run) is counted by `process.cpuUsage` in
// whichever run overlaps it, and more of it in the longer (traced) run: noise as large as the
// effect measured, leaning towards the traced side. The warm-up is long for the same reason:
// `process.cpuUsage` counts V8's compiler threads, and the traced side has more code to
// optimise (the OpenTelemetry SDK, the metrics), which a server does once, not per step. The
// main thread's own CPU (bench/_thread-cpu.ts) is reported beside it, without those threads.
//
// What the in-memory exporter leaves out: an OTLP exporter's serialisation and HTTP posts, made
// once per batch (every second by default) off the step's path but on its thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as nextMacrotask } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import type { Runtime, Store } from '../src/index.js';
import { createRuntime, defineAgent, openStore, scriptedModel, tool } from '../src/index.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { EXPORT_SUCCEEDED } from '../src/telemetry/otlp.js';
import { report } from './_report.js';
import { ascending, median, percentile } from './_stats.js';
import { loadAverage, printTable } from './_table.js';
import { threadCpuMs } from './_thread-cpu.js';

const STEPS = Number(process.env.BENCH_TRACING_STEPS ?? 200);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 40);
const WARMUP = Number(process.env.BENCH_TRACING_WARMUP ?? 30);
/** The stores measured; the target is on SQLite, the in-memory store shows the cost without I/O. */
const STORES = ['sqlite', 'memory'] as const;
type StoreKind = (typeof STORES)[number];

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
/**
 * An in-memory exporter that acknowledges each batch at once. The SDK's `InMemorySpanExporter`
 * acknowledges from a `setTimeout(0)`, so a flush left the event loop idle inside the traced
 * run's window, and every timer of the six runtimes fired there: 10–15 µs of CPU per step
 * that the traced mode was charged for and no span caused (the same gap put into the untraced
 * windows moved the cost there).
 */
class AcknowledgingExporter implements SpanExporter {
  readonly #spans: ReadableSpan[] = [];

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.#spans.push(...spans);
    resultCallback({ code: EXPORT_SUCCEEDED });
  }

  async shutdown(): Promise<void> {
    this.reset();
  }

  getFinishedSpans(): readonly ReadableSpan[] {
    return this.#spans;
  }

  reset(): void {
    this.#spans.length = 0;
  }
}

const exporter = new AcknowledgingExporter();
// The pipeline `createOtlpTracerProvider` builds (a batch processor), into memory instead of OTLP.
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });

/** Wall, process CPU and main-thread CPU milliseconds per step of one run. */
interface StepCost {
  wall: number;
  cpu: number;
  thread: number;
}

/** What a mode observes with: nothing, the metrics alone, or the metrics and every span. */
type Observed = 'bare' | 'metrics' | 'traced';

/** A mode's store and runtime, kept for all its rounds, and what its rounds cost. */
interface Mode {
  traced: boolean;
  store: Store;
  runtime: Runtime;
  costs: StepCost[];
}

async function openMode(kind: StoreKind, observed: Observed): Promise<Mode> {
  const store = await openStore(kind === 'memory' ? ':memory:' : join(dir, `${observed}.db`));
  const traced = observed === 'traced';
  const runtime = createRuntime({
    store,
    agents: [agent],
    ...(observed !== 'bare' && { metrics: createMetrics() }),
    ...(traced && { tracerProvider }),
  });
  return { traced, store, runtime, costs: [] };
}

/** The cost per step of one run. */
async function perStep({ traced, runtime }: Mode): Promise<StepCost> {
  const { runId } = await runtime.start({ agent: 'traced', message: 'go' });
  // The timers of the six runtimes that are already due (a store's checkpoint, a lease sweep)
  // fire here, outside the window. One that falls due during a window still fires inside it if
  // the window goes idle, which a run that only computes and commits does not.
  await nextMacrotask();
  const started = performance.now();
  const threadBefore = threadCpuMs();
  const cpuBefore = process.cpuUsage();
  const run = await runtime.execute(runId);
  // Every span of the run is exported inside the measured time.
  if (traced) await tracerProvider.forceFlush();
  const cpu = process.cpuUsage(cpuBefore);
  const thread = threadCpuMs() - threadBefore;
  if (run.status !== 'succeeded') throw new Error(`the bench run ended ${run.status}`);
  // The same work on both sides: a chat span per step and a tool span per tool call, all exported.
  if (traced && exporter.getFinishedSpans().length < 2 * STEPS - 1) throw new Error('spans went missing');
  exporter.reset();
  return {
    wall: (performance.now() - started) / STEPS,
    cpu: (cpu.user + cpu.system) / 1000 / STEPS,
    thread: thread / STEPS,
  };
}

/**
 * The OpenTelemetry SDK's own share: the spans of `STEPS` steps (a `chat` span and an
 * `execute_tool` span each, with the attributes Baton gives them) started, ended and exported
 * through the same provider, with no Baton code around them. CPU ms per step.
 */
async function sdkSpansPerStep(): Promise<number> {
  const tracer = tracerProvider.getTracer('bench');
  const root = tracer.startSpan('invoke_agent traced');
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const ids = {
    'baton.session.id': 'ses_0mx5i5c8r68968dce30560032',
    'baton.run.id': 'run_0mx5i5c8rfc4a9a0c3f33b63e',
    'baton.run.attempt': 1,
    'baton.worker.id': 'wrk_0mx5i5c8t1504d78f1bfc126f@host/1',
  };
  const cpuBefore = process.cpuUsage();
  for (let step = 0; step < STEPS; step += 1) {
    const chat = tracer.startSpan(
      'chat scripted',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'scripted',
          'gen_ai.request.model': 'scripted',
          ...ids,
        },
      },
      parent,
    );
    chat.setAttribute('gen_ai.response.finish_reasons', ['tool_calls']);
    chat.setAttribute('gen_ai.usage.input_tokens', 0);
    chat.setAttribute('gen_ai.usage.output_tokens', 0);
    chat.end();
    tracer
      .startSpan(
        'execute_tool step',
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'step',
            'gen_ai.tool.call.id': `call_${step}`,
            ...ids,
          },
        },
        parent,
      )
      .end();
  }
  root.end();
  await tracerProvider.forceFlush();
  const cpu = process.cpuUsage(cpuBefore);
  exporter.reset();
  return (cpu.user + cpu.system) / 1000 / STEPS;
}

/** The three modes over one kind of store. */
interface Trio {
  kind: StoreKind;
  bare: Mode;
  off: Mode;
  on: Mode;
}

const trios: Trio[] = [];
try {
  console.log(
    `tracing overhead: ${ROUNDS} interleaved rounds of a ${STEPS}-step run on SQLite and in memory, ` +
      `after ${WARMUP} warm-up runs of each mode (${loadAverage()})`,
  );
  for (const kind of STORES)
    trios.push({
      kind,
      bare: await openMode(kind, 'bare'),
      off: await openMode(kind, 'metrics'),
      on: await openMode(kind, 'traced'),
    });
  const modes = trios.flatMap(({ bare, off, on }) => [bare, off, on]);
  const sdkCosts: number[] = [];
  for (let run = 0; run < WARMUP; run += 1) {
    for (const mode of modes) await perStep(mode);
    await sdkSpansPerStep();
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating the order cancels drift in the machine's load; each pair runs back to back.
    const order = round % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) {
      // A run inherits the garbage (and the collections it triggers) of the run before it. Run
      // by run, an untraced run after a traced one was charged the spans' garbage, which read
      // as tracing costing less than nothing; after an unmeasured run of its own mode, each
      // measured run inherits its own kind, as in a process that runs one mode only.
      await perStep(mode);
      mode.costs.push(await perStep(mode));
    }
    sdkCosts.push(await sdkSpansPerStep());
  }
  const range = (values: number[], digits: number, unit: string) => {
    const sorted = ascending(values);
    return `${(sorted[0] ?? 0).toFixed(digits)}–${(sorted.at(-1) ?? 0).toFixed(digits)}${unit}`;
  };
  const row = (label: string, costs: StepCost[]) => {
    const wall = costs.map((cost) => cost.wall);
    const cpu = costs.map((cost) => cost.cpu);
    return [
      label,
      `${median(wall).toFixed(3)} ms`,
      range(wall, 3, ' ms'),
      `${median(cpu).toFixed(3)} ms`,
      range(cpu, 3, ' ms'),
    ];
  };
  const pct = (traced: number, plain: number) => ((traced - plain) / plain) * 100;
  // CPU time is what tracing adds; on a shared machine wall time mostly measures the neighbours.
  // The paired figures compare each round's two runs, made back to back under the same load.
  const overhead = (on: Mode, off: Mode, pick: (cost: StepCost) => number) => {
    const paired = on.costs.map((cost, round) => pct(pick(cost), pick(off.costs[round] as StepCost)));
    const sorted = ascending(paired);
    return {
      ofMedians: pct(median(on.costs.map(pick)), median(off.costs.map(pick))),
      paired: median(paired),
      p25: percentile(sorted, 25),
      p75: percentile(sorted, 75),
      spread: range(paired, 1, ' %'),
    };
  };
  printTable(
    ['mode', 'median wall per step', 'spread (min–max)', 'median CPU per step', 'spread (min–max)'],
    trios.flatMap(({ kind, bare, off, on }) => [
      row(`${kind}, bare (no metrics, no tracing)`, bare.costs),
      row(`${kind}, tracing off (metrics)`, off.costs),
      row(`${kind}, tracing on (metrics, in-memory exporter)`, on.costs),
    ]),
  );
  console.log('');
  const overheadRow = (label: string, on: Mode, off: Mode, pick: (cost: StepCost) => number) => {
    const { ofMedians, paired, p25, p75, spread } = overhead(on, off, pick);
    const quartiles = `${p25.toFixed(1)}–${p75.toFixed(1)} %`;
    return [label, `${ofMedians.toFixed(1)} %`, `${paired.toFixed(1)} %`, quartiles, spread];
  };
  const cpu = (cost: StepCost) => cost.cpu;
  const thread = (cost: StepCost) => cost.thread;
  const wall = (cost: StepCost) => cost.wall;
  printTable(
    ['overhead per step', 'of the medians', 'paired (median)', 'pairs p25–p75', 'pairs min–max'],
    trios.flatMap(({ kind, bare, off, on }) => [
      overheadRow(`${kind}, tracing, CPU${kind === 'sqlite' ? ' (target ≤ 5 %)' : ''}`, on, off, cpu),
      overheadRow(`${kind}, tracing, main-thread CPU`, on, off, thread),
      overheadRow(`${kind}, tracing, wall`, on, off, wall),
      overheadRow(`${kind}, metrics and tracing against bare, CPU`, on, bare, cpu),
    ]),
  );
  const [sqlite, memory] = trios as [Trio, Trio];
  // What tracing cannot cost less than: the SDK's work for the same spans, against the step.
  const sdkMs = median(sdkCosts);
  const sqliteOffMs = median(sqlite.off.costs.map(cpu));
  const sdkSpread = range(
    sdkCosts.map((value) => value * 1000),
    1,
    ' µs',
  );
  console.log(
    `\nthe OpenTelemetry SDK alone, the two spans of a step (no Baton code): ${(sdkMs * 1000).toFixed(1)} µs CPU ` +
      `(spread ${sdkSpread}) = ` +
      `${((sdkMs / sqliteOffMs) * 100).toFixed(1)} % of the SQLite step with tracing off, ` +
      `${((sdkMs / median(memory.off.costs.map(cpu))) * 100).toFixed(1)} % of the in-memory one`,
  );
  console.log(`(end: ${loadAverage()})`);
  report('tracing.stepOffMs', median(sqlite.off.costs.map(wall)));
  report('tracing.stepOnMs', median(sqlite.on.costs.map(wall)));
  report('tracing.overheadPct', overhead(sqlite.on, sqlite.off, wall).ofMedians);
  const sqliteCpu = overhead(sqlite.on, sqlite.off, cpu);
  report('tracing.cpuOverheadPct', sqliteCpu.paired);
  // How far apart the pairs lie: on a shared machine wider than the 5 % the median is held to.
  report('tracing.cpuOverheadP25', sqliteCpu.p25);
  report('tracing.cpuOverheadP75', sqliteCpu.p75);
  report('tracing.threadCpuOverheadPct', overhead(sqlite.on, sqlite.off, thread).paired);
  report('tracing.memoryCpuOverheadPct', overhead(memory.on, memory.off, cpu).paired);
  report('tracing.observabilityCpuOverheadPct', overhead(sqlite.on, sqlite.bare, cpu).paired);
  report('tracing.sdkFloorPct', (sdkMs / sqliteOffMs) * 100);
} finally {
  for (const { bare, off, on } of trios)
    for (const { runtime, store } of [bare, off, on]) {
      await runtime.close();
      await store.close();
    }
  rmSync(dir, { recursive: true, force: true });
}
