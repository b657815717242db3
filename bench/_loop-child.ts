// Child process of the loop bench: `_loop-child.ts <system> <steps> <plan>` opens one system,
// warms it up, runs the loop as often as the plan says, and sends the per-step timings to the parent.
import { performance } from 'node:perf_hooks';
import { answerParent } from './_child.js';
import type { LoopSample, MeasuredRun, RunPlan } from './_loop-measure.js';
import { isSystemId, SYSTEMS } from './systems/index.js';
import type { Counters, LoopSystem } from './systems/system.js';

/** The longest warm-up: JIT and module initialisation are not what is measured. */
const WARM_UP_STEPS = 200;

async function timedRun(system: LoopSystem, steps: number): Promise<MeasuredRun> {
  const marks: number[] = [];
  const probes: number[] = [];
  const probe = system.checkpointProbe?.bind(system);
  let started = performance.now();
  let loopEnded: number | undefined;
  await system.run(
    steps,
    () => {
      marks.push(performance.now());
      if (probe) probes.push(probe());
    },
    {
      begun: () => {
        started = performance.now();
      },
      ended: () => {
        loopEnded = performance.now();
      },
    },
  );
  const ended = loopEnded ?? performance.now();
  if (probe) probes.push(probe());
  if (marks.length !== steps) throw new Error(`${marks.length} model calls instead of ${steps}`);
  // Step k runs from model call k to model call k + 1; the last one to the end of the run.
  const stepMs = marks.map((mark, index) => (marks[index + 1] ?? ended) - mark);
  const checkpointSteps = probe
    ? stepMs.flatMap((_, index) => (probes[index + 1] !== probes[index] ? [index] : []))
    : undefined;
  const background = system.backgroundCheckpoints?.();
  return {
    stepMs,
    totalMs: ended - started,
    ...(checkpointSteps && { checkpointSteps }),
    ...(background !== undefined && { backgroundCheckpoints: background }),
  };
}

/** Runs until `minimum` runs and `seconds` of measuring are done, or `maximum` runs. */
async function measuredRuns(system: LoopSystem, steps: number, plan: RunPlan): Promise<MeasuredRun[]> {
  const runs: MeasuredRun[] = [];
  const started = performance.now();
  while (
    runs.length < plan.minimum ||
    (runs.length < plan.maximum && performance.now() - started < plan.seconds * 1000)
  ) {
    runs.push(await timedRun(system, steps));
  }
  return runs;
}

const [id, stepsArgument, planArgument] = process.argv.slice(2);
if (!isSystemId(id)) throw new Error(`unknown system ${id}`);
const steps = Number(stepsArgument);
const plan = JSON.parse(planArgument ?? '{}') as RunPlan;

await answerParent(async (): Promise<LoopSample> => {
  const system = await SYSTEMS[id].open();
  try {
    await timedRun(system, Math.min(steps, WARM_UP_STEPS));
    const before = system.counters?.();
    const runs = await measuredRuns(system, steps, plan);
    const after = system.counters?.();
    const delta = (key: keyof Counters) => {
      const [from, to] = [before?.[key], after?.[key]];
      return from === undefined || to === undefined ? undefined : to - from;
    };
    const statements = delta('statements');
    const transactions = delta('transactions');
    return {
      runs,
      ...(statements !== undefined && { statements }),
      ...(transactions !== undefined && { transactions }),
    };
  } finally {
    await system.close();
  }
});
