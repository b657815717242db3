// `npx tsx bench/_pg-probe.ts [loop|runs|worker]...`: Baton on Postgres only, quick and with CPU
// time: a 200-step tool loop (ms/step, statements/step, CPU ms/step) and short runs, 8 in flight,
// start + execute or queued for one worker (runs/s, statements/run, CPU ms/run). For comparing
// store changes; `npm run bench durable` / `runs` are the side-by-side benches.
import { performance } from 'node:perf_hooks';
import { createRuntime, openStore } from '../src/index.js';
import { dropSchema, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { countStatements } from './_postgres.js';
import { loadAverage } from './_table.js';
import { loopAgent, runLoop } from './systems/baton.js';

const statements = countStatements();
const wanted = process.argv.slice(2);
const modes = wanted.length > 0 ? wanted : ['loop', 'runs', 'worker'];
const SHORT_RUNS = Number(process.env.BENCH_SHORT_RUNS ?? 400);
const IN_FLIGHT = 8;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function lanes(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next += 1;
        await work(next);
      }
    }),
  );
}

const schema = uniqueSchema('probe');
const store = await openStore(schemaUrl(schema));
try {
  console.log(`start: ${loadAverage()}`);
  if (modes.includes('loop')) {
    await runLoop(store, 200, () => {});
    const rounds = 5;
    const [s0, c0, t0] = [statements(), cpuMs(), performance.now()];
    for (let round = 0; round < rounds; round += 1) await runLoop(store, 200, () => {});
    const steps = 200 * rounds;
    console.log(
      `loop 200 steps: ${((performance.now() - t0) / steps).toFixed(3)} ms/step, ` +
        `${((statements() - s0) / steps).toFixed(2)} statements/step, ${((cpuMs() - c0) / steps).toFixed(3)} CPU ms/step`,
    );
  }
  for (const mode of ['runs', 'worker'].filter((name) => modes.includes(name))) {
    const runtime = createRuntime({ store, agents: [loopAgent(2, () => {})] });
    const startAndExecute = async (index: number) => {
      const { runId } = await runtime.start({ agent: 'loop', message: `run ${index}` });
      const run = await runtime.execute(runId);
      if (run.status !== 'succeeded') throw new Error(`short run ${run.status}`);
    };
    try {
      await lanes(40, startAndExecute);
      if (mode === 'worker') {
        await lanes(SHORT_RUNS, async (index) => {
          await runtime.start({ agent: 'loop', message: `run ${index}` });
        });
      }
      const [s0, c0, t0] = [statements(), cpuMs(), performance.now()];
      if (mode === 'worker')
        await runtime.startWorker({ concurrency: IN_FLIGHT, untilIdle: true, pollIntervalMs: 20 }).done;
      else await lanes(SHORT_RUNS, startAndExecute);
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `${mode === 'worker' ? 'queued, worker' : 'start + execute'}: ${(SHORT_RUNS / seconds).toFixed(0)} runs/s, ` +
          `${((statements() - s0) / SHORT_RUNS).toFixed(1)} statements/run, ${((cpuMs() - c0) / SHORT_RUNS).toFixed(2)} CPU ms/run`,
      );
    } finally {
      await runtime.close();
    }
  }
  console.log(`end: ${loadAverage()}`);
} finally {
  await store.close();
  await dropSchema(schema);
}
