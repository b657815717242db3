// Child process of the loop bench: `_loop-child.ts <system> <steps> <runs>` opens one system,
// warms it up, runs the loop `runs` times, and sends the per-step timings to the parent.
import { performance } from 'node:perf_hooks';
import { answerParent } from './_child.js';
import type { LoopSample } from './_loop-measure.js';
import { isSystemId, SYSTEMS } from './systems/index.js';
import type { Counters, LoopSystem } from './systems/system.js';

/** The longest warm-up: JIT and module initialisation are not what is measured. */
const WARM_UP_STEPS = 200;

async function timedRun(system: LoopSystem, steps: number): Promise<{ stepMs: number[]; totalMs: number }> {
  const marks: number[] = [];
  const started = performance.now();
  await system.run(steps, () => marks.push(performance.now()));
  const ended = performance.now();
  if (marks.length !== steps) throw new Error(`${marks.length} model calls instead of ${steps}`);
  // Step k runs from model call k to model call k + 1; the last one to the end of the run.
  const stepMs = marks.map((mark, index) => (marks[index + 1] ?? ended) - mark);
  return { stepMs, totalMs: ended - started };
}

function difference(after: Counters, before: Counters): Counters {
  return {
    ...(after.statements !== undefined && { statements: after.statements - (before.statements ?? 0) }),
    ...(after.walCheckpoints !== undefined && {
      walCheckpoints: after.walCheckpoints - (before.walCheckpoints ?? 0),
    }),
  };
}

const [id, stepsArgument, runsArgument] = process.argv.slice(2);
if (!isSystemId(id)) throw new Error(`unknown system ${id}`);
const steps = Number(stepsArgument);
const runs = Number(runsArgument);

await answerParent(async (): Promise<LoopSample> => {
  const system = await SYSTEMS[id].open();
  try {
    await timedRun(system, Math.min(steps, WARM_UP_STEPS));
    const before = system.counters?.() ?? {};
    const measured = [];
    for (let index = 0; index < runs; index += 1) measured.push(await timedRun(system, steps));
    return { runs: measured, counters: difference(system.counters?.() ?? {}, before) };
  } finally {
    await system.close();
  }
});
