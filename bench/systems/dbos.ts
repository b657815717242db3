// DBOS Transact on Postgres: the loop as a workflow whose every step (the fake model's answer
// and the tool it asks for) is one checkpointed `DBOS.runStep`, in a database of its own that
// is dropped afterwards. Workflows are called directly, without a queue.
import { randomBytes } from 'node:crypto';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { countStatements, createDatabase, dropDatabase } from '../_postgres.js';
import { BenchRunError, decide, type LoopSystem, type StepMark, stepTool } from './system.js';

/** DBOS launched on its own database, with the bench's two workflows registered. */
export interface DbosApp {
  /** Runs a `steps`-step loop workflow; `mark` is called as each step's model call starts. */
  loop(steps: number, mark: StepMark): Promise<void>;
  /** The short run: one step that calls the tool, one that answers. */
  short(): Promise<void>;
  statements(): number;
  close(): Promise<void>;
}

let currentMark: StepMark = () => {};

/** One checkpointed step: the fake model decides, and the tool runs if it asked for it. */
async function modelAndTool(index: number, steps: number): Promise<string> {
  currentMark();
  const decision = decide(index, steps);
  return decision.kind === 'tool' ? JSON.stringify(stepTool(decision.input)) : decision.text;
}

const loopWorkflow = DBOS.registerWorkflow(
  async (steps: number): Promise<number> => {
    let made = 0;
    for (let index = 0; index < steps; index += 1) {
      await DBOS.runStep(() => modelAndTool(index, steps), { name: 'model-and-tool' });
      made += 1;
    }
    return made;
  },
  { name: 'loop' },
);

/** Launches DBOS on a fresh database (`baton_bench_dbos_…`), dropped again by `close`. */
export async function launchDbos(): Promise<DbosApp> {
  const statements = countStatements();
  const database = `baton_bench_dbos_${randomBytes(4).toString('hex')}`;
  DBOS.setConfig({
    name: 'baton-bench',
    systemDatabaseUrl: await createDatabase(database),
    logLevel: 'error',
  });
  await DBOS.launch();
  return {
    async loop(steps, mark) {
      currentMark = mark;
      const made = await loopWorkflow(steps);
      if (made !== steps) throw new BenchRunError(`DBOS ran ${made} steps`);
    },
    async short() {
      currentMark = () => {};
      await loopWorkflow(2);
    },
    statements,
    async close() {
      await DBOS.shutdown();
      await dropDatabase(database);
    },
  };
}

/** DBOS as a loop system. */
export async function openDbos(): Promise<LoopSystem> {
  const app = await launchDbos();
  return {
    run: (steps, mark) => app.loop(steps, mark),
    counters: () => ({ statements: app.statements() }),
    close: () => app.close(),
  };
}
