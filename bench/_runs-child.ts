// Child process of the short-runs bench: `_runs-child.ts <mode> <count>` runs `count` short runs
// (one step that calls a tool, one that answers), 8 in flight, and sends runs/s and the
// statements they sent to Postgres. Modes: `baton-sqlite` / `baton-postgres` (each run started
// and executed in this process, as `baton run` does, no queue), `baton-sqlite-worker` /
// `baton-postgres-worker` (runs enqueued first, then drained by one in-process worker with
// concurrency 8), `dbos-postgres` (workflows called directly, without a queue).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRuntime, openStore, type Runtime } from '../src/index.js';
import { dropSchema, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { answerParent } from './_child.js';
import { countStatements } from './_postgres.js';
import { loopAgent } from './systems/baton.js';
import { launchDbos } from './systems/dbos.js';

/** Runs in flight at once. */
export const IN_FLIGHT = 8;
const WARM_UP = 40;

/** What a short-runs child sends back. */
export interface ShortRunsSample {
  runsPerSecond: number;
  statementsPerRun: number;
}

/** Calls `work` `count` times, `IN_FLIGHT` at a time; resolves with the seconds it took. */
async function lanes(count: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next += 1;
        await work(next);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function startAndExecute(runtime: Runtime, index: number): Promise<void> {
  const { runId } = await runtime.start({ agent: 'loop', message: `run ${index}` });
  const run = await runtime.execute(runId);
  if (run.status !== 'succeeded') throw new Error(`short run ${run.status}`);
}

async function batonShortRuns(store: 'sqlite' | 'postgres', worker: boolean, count: number) {
  const statements = countStatements();
  const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-runs-'));
  const schema = uniqueSchema('bench_runs');
  const opened = await openStore(store === 'sqlite' ? join(scratch, 'runs.db') : schemaUrl(schema));
  const runtime = createRuntime({ store: opened, agents: [loopAgent(2, () => {})] });
  try {
    await lanes(WARM_UP, (index) => startAndExecute(runtime, index));
    const before = statements();
    let seconds: number;
    if (worker) {
      await lanes(count, async (index) => {
        await runtime.start({ agent: 'loop', message: `run ${index}` });
      });
      const started = performance.now();
      await runtime.startWorker({ concurrency: IN_FLIGHT, untilIdle: true, pollIntervalMs: 20 }).done;
      seconds = (performance.now() - started) / 1000;
    } else {
      seconds = await lanes(count, (index) => startAndExecute(runtime, index));
    }
    return { runsPerSecond: count / seconds, statementsPerRun: (statements() - before) / count };
  } finally {
    await runtime.close();
    await opened.close();
    rmSync(scratch, { recursive: true, force: true });
    if (store === 'postgres') await dropSchema(schema);
  }
}

async function dbosShortRuns(count: number) {
  const app = await launchDbos();
  try {
    await lanes(WARM_UP, () => app.short());
    const before = app.statements();
    const seconds = await lanes(count, () => app.short());
    return { runsPerSecond: count / seconds, statementsPerRun: (app.statements() - before) / count };
  } finally {
    await app.close();
  }
}

const [mode, countArgument] = process.argv.slice(2);
const count = Number(countArgument);
await answerParent(async (): Promise<ShortRunsSample> => {
  switch (mode) {
    case 'baton-sqlite':
      return batonShortRuns('sqlite', false, count);
    case 'baton-sqlite-worker':
      return batonShortRuns('sqlite', true, count);
    case 'baton-postgres':
      return batonShortRuns('postgres', false, count);
    case 'baton-postgres-worker':
      return batonShortRuns('postgres', true, count);
    case 'dbos-postgres':
      return dbosShortRuns(count);
    default:
      throw new Error(`unknown mode ${mode}`);
  }
});
