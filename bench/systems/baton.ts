// Baton's runtime on each store, through the public API: `createRuntime` over `openStore`, one
// fresh session per run, `start` then `execute` as `baton run` does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createRuntime, defineAgent, openStore, type Store, scriptedModel, tool } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { dropSchema, schemaUrl, uniqueSchema } from '../../test/helpers/postgres.js';
import { countStatements } from '../_postgres.js';
import { SqliteFileProbe } from '../_sqlite.js';
import { BenchRunError, decide, type LoopSystem, type StepMark, stepTool } from './system.js';

/** The stores the bench runs Baton on. */
export type BatonStoreKind = 'memory' | 'sqlite-normal' | 'sqlite-full' | 'postgres';

/** The loop agent: `steps` model calls through the scripted model, marking each one. */
export function loopAgent(steps: number, mark: StepMark) {
  return defineAgent({
    name: 'loop',
    instructions: 'Call step until told to stop.',
    // Pure and instant, so it is idempotent: the runtime may treat it as such.
    tools: [
      tool({
        name: 'step',
        description: 'one step',
        inputSchema: z.object({ i: z.number() }),
        idempotent: true,
        execute: stepTool,
      }),
    ],
    limits: { maxSteps: steps },
    model: scriptedModel((request) => {
      mark();
      const decision = decide(request.step, steps);
      return decision.kind === 'tool'
        ? { toolCalls: [{ name: 'step', input: decision.input }] }
        : { text: decision.text };
    }),
  });
}

/** Runs one `steps`-call loop on `store` in a fresh session; throws unless it succeeded. */
export async function runLoop(store: Store, steps: number, mark: StepMark): Promise<void> {
  const runtime = createRuntime({ store, agents: [loopAgent(steps, mark)] });
  try {
    const { runId } = await runtime.start({ agent: 'loop', message: 'go' });
    const run = await runtime.execute(runId);
    if (run.status !== 'succeeded') throw new BenchRunError(`Baton run ${run.status}`);
  } finally {
    await runtime.close();
  }
}

/** Baton on `kind`: a fresh store per run (memory, SQLite file), one schema for all runs (Postgres). */
export async function openBaton(kind: BatonStoreKind): Promise<LoopSystem> {
  if (kind === 'postgres') return openBatonPostgres();
  if (kind === 'memory') {
    return {
      async run(steps, mark, bounds) {
        const store = await openStore(':memory:');
        bounds.begun();
        try {
          await runLoop(store, steps, mark);
          bounds.ended();
        } finally {
          await store.close();
        }
      },
      close: async () => {},
    };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-loop-'));
  const file = new SqliteFileProbe(scratch);
  let transactions = 0;
  return {
    async run(steps, mark, bounds) {
      const store = await openStore(file.next(), { synchronous: kind === 'sqlite-full' ? 'FULL' : 'NORMAL' });
      if (store instanceof SqliteStore) file.watch(() => store.backgroundCheckpoints());
      countAppends(store, () => {
        transactions += 1;
      });
      bounds.begun();
      try {
        await runLoop(store, steps, mark);
        bounds.ended();
      } finally {
        file.freeze();
        await store.close();
      }
    },
    checkpointProbe: () => file.probe(),
    backgroundCheckpoints: () => file.backgroundCheckpoints(),
    counters: () => ({ transactions }),
    async close() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Calls `counted` on each of `store`'s appends: one transaction each (an own property, so the class stays as is). */
function countAppends(store: Store, counted: () => void): void {
  const append = store.append.bind(store);
  store.append = (...args) => {
    counted();
    return append(...args);
  };
}

async function openBatonPostgres(): Promise<LoopSystem> {
  const statements = countStatements();
  const schema = uniqueSchema('bench_loop');
  const store = await openStore(schemaUrl(schema));
  return {
    run: (steps, mark) => runLoop(store, steps, mark),
    counters: () => ({ statements: statements() }),
    async close() {
      await store.close();
      await dropSchema(schema);
    },
  };
}
