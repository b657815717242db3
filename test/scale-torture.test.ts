import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { verifyChain } from '../src/core/events.js';
import { agentModuleLoader } from '../src/runtime/agent-loader.js';
import type { Runtime } from '../src/runtime/types.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/store.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import {
  type BackgroundCli,
  createScaleFixture,
  type ScaleFixture,
  spawnCli,
} from './helpers/scale-fixture.js';

// Slow: only with BATON_TORTURE=1.
const torture = process.env.BATON_TORTURE === '1';
const RUNS = 400;
const KILLS = 10;

let schema: string;
let url: string;
let store: Store;
let runtime: Runtime;
let fixture: ScaleFixture;
const workers: BackgroundCli[] = [];

beforeEach(async () => {
  schema = uniqueSchema('torture');
  url = schemaUrl(schema);
  store = await openPostgresStore(url, { poolSize: 4 });
  runtime = createRuntime({ store, agents: [], loadAgentModule: agentModuleLoader() });
  fixture = createScaleFixture();
});

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await runtime.close();
  await store.close();
  await dropSchema(schema);
  fixture.cleanup();
});

function startWorker(args: string[] = []): BackgroundCli {
  const worker = spawnCli(['worker', '--db', url, '--concurrency', '4', '--lease-ttl', '2000', ...args], {
    env: { BATON_PG_POOL_SIZE: '3' },
  });
  workers.push(worker);
  return worker;
}

describe.skipIf(!torture)('baton worker processes killed at random on one Postgres database', () => {
  it('still finish every run once, with no tool call executed twice and every log intact', async () => {
    const runIds: string[] = [];
    for (let index = 0; index < RUNS; index += 10) {
      const batch = Array.from({ length: 10 }, (_, offset) =>
        runtime.start({
          agent: 'record',
          message: `job ${index + offset}`,
          agentModule: fixture.agentFile('record'),
        }),
      );
      for (const started of await Promise.all(batch)) runIds.push(started.runId);
    }
    const live = [startWorker(), startWorker(), startWorker()];
    for (let kill = 0; kill < KILLS; kill += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1000));
      // Only a worker that is up (done loading) can be killed mid-run.
      const busy = live.filter((worker) => worker.stderr().includes(' started'));
      const victim = busy[Math.floor(Math.random() * busy.length)];
      if (!victim) continue;
      live.splice(live.indexOf(victim), 1);
      victim.child.kill('SIGKILL');
      live.push(startWorker());
    }
    for (const worker of live) worker.child.kill('SIGTERM');
    await Promise.all(live.map((worker) => worker.exited));
    const last = startWorker(['--until-idle']);
    expect(await last.exited, last.stderr()).toEqual({ code: 0, signal: null });

    const runs = await Promise.all(runIds.map((runId) => runtime.getRun(runId)));
    expect(runs.filter((run) => run.status !== 'succeeded')).toEqual([]);
    const perCall = new Map<string, number>();
    for (const execution of fixture.executions()) {
      const key = `${execution.runId}/${execution.toolCallId}`;
      perCall.set(key, (perCall.get(key) ?? 0) + 1);
    }
    expect([...perCall.values()].filter((count) => count > 1)).toEqual([]);
    let resumed = 0;
    for (const run of runs) {
      const events = await store.readEvents(run.sessionId);
      expect(verifyChain(events)).toMatchObject({ ok: true });
      expect(events.filter((event) => event.type === 'run.completed')).toHaveLength(1);
      if (events.filter((event) => event.type === 'run.started').length > 1) resumed += 1;
    }
    // The kills did land mid-run: some runs were resumed by another worker.
    expect(resumed).toBeGreaterThan(0);
    // Minutes, not seconds: hundreds of runs and repeated worker start-ups on a loaded machine.
  }, 600_000);
});
