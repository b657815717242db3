import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import { verifyChain } from '../src/core/events.js';
import { agentModuleLoader } from '../src/runtime/agent-loader.js';
import type { Runtime } from '../src/runtime/types.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { RunRecord } from '../src/store/run-store.js';
import type { Store } from '../src/store/store.js';
import { waitFor } from '../src/testing/wait-for.js';
import { CuttableProxy } from './helpers/cuttable-proxy.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import {
  type BackgroundCli,
  createScaleFixture,
  SCALE_WAIT_MS,
  type ScaleFixture,
  spawnCli,
} from './helpers/scale-fixture.js';

// Children get small pools: several workers and this process share the server's connection cap.
const CHILD_ENV = { BATON_PG_POOL_SIZE: '3' };

let schema: string;
let url: string;
let store: Store;
let runtime: Runtime;
let fixture: ScaleFixture;
const children: BackgroundCli[] = [];

beforeEach(async () => {
  schema = uniqueSchema('scale');
  url = schemaUrl(schema);
  store = await openPostgresStore(url, { poolSize: 4 });
  // This process only enqueues and inspects; workers load agents from the module each run records.
  runtime = createRuntime({ store, agents: [], loadAgentModule: agentModuleLoader() });
  fixture = createScaleFixture();
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    await child.exited;
  }
  await runtime.close();
  await store.close();
  await dropSchema(schema);
  fixture.cleanup();
});

function worker(args: string[], options: { ownPidNamespace?: boolean } = {}): BackgroundCli {
  const child = spawnCli(['worker', '--db', url, ...args], { env: CHILD_ENV, ...options });
  children.push(child);
  return child;
}

async function enqueue(agent: 'record' | 'gated', count: number): Promise<string[]> {
  const runIds: string[] = [];
  // A few at a time: enough to enqueue quickly, few enough for this process's small pool.
  for (let index = 0; index < count; index += 10) {
    const batch = Array.from({ length: Math.min(10, count - index) }, (_, offset) =>
      runtime.start({ agent, message: `job ${index + offset}`, agentModule: fixture.agentFile(agent) }),
    );
    for (const started of await Promise.all(batch)) runIds.push(started.runId);
  }
  return runIds;
}

async function expectCleanLog(sessionId: string): Promise<void> {
  const events = await store.readEvents(sessionId);
  expect(verifyChain(events)).toMatchObject({ ok: true, count: events.length });
}

// Multi-process tests start several CLI processes from source; on a loaded 2-core machine
// that alone can take tens of seconds, so they get more than the default test timeout.
const PROCESS_TEST_TIMEOUT_MS = 180_000;

/**
 * Waits for `second` to finish the run `held` by a dead or cut-off worker, and checks that it
 * took the run over only after that lease expired and completed it once, on a valid chain.
 * Returns the run's events.
 */
async function expectTakenOverAfterExpiry(runId: string, held: RunRecord | undefined, second: BackgroundCli) {
  expect(await second.exited, second.stderr()).toEqual({ code: 0, signal: null });
  const run = await runtime.getRun(runId);
  expect(run.status).toBe('succeeded');
  const events = await store.readEvents(run.sessionId);
  expect(verifyChain(events)).toMatchObject({ ok: true });
  const starts = events.filter((event) => event.type === 'run.started');
  expect(starts).toHaveLength(2);
  expect(Date.parse(starts[1]?.ts ?? '')).toBeGreaterThanOrEqual(held?.lease?.expiresAt ?? Number.NaN);
  expect(events.filter((event) => event.type === 'run.completed')).toHaveLength(1);
  return { events, secondStart: starts[1] };
}

describe('baton worker processes on one Postgres database', () => {
  it(
    'drain 300 runs with three workers, executing every run exactly once, all succeeded',
    async () => {
      const runIds = await enqueue('record', 300);
      const workers = [0, 1, 2].map(() => worker(['--until-idle', '--concurrency', '4']));
      const exits = await Promise.all(workers.map((child) => child.exited));
      expect(exits, workers.map((child) => child.stderr()).join('\n')).toEqual(
        workers.map(() => ({ code: 0, signal: null })),
      );

      const executions = fixture.executions();
      const perRun = new Map<string, number>();
      for (const execution of executions) perRun.set(execution.runId, (perRun.get(execution.runId) ?? 0) + 1);
      expect(executions).toHaveLength(300);
      expect([...perRun.keys()].sort()).toEqual([...runIds].sort());
      expect(new Set(perRun.values())).toEqual(new Set([1]));
      // The work was shared: more than one worker process executed runs.
      expect(new Set(executions.map((execution) => execution.pid)).size).toBeGreaterThan(1);

      const runs = await Promise.all(runIds.map((runId) => runtime.getRun(runId)));
      expect(runs.map((run) => run.status)).toEqual(runIds.map(() => 'succeeded'));
      expect(runs.map((run) => run.attempt)).toEqual(runIds.map(() => 1));
      for (const run of runs.slice(0, 20)) await expectCleanLog(run.sessionId);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'takes over the run of a SIGKILLed worker once its lease has expired',
    async () => {
      const [runId] = await enqueue('gated', 1);
      const first = worker(['--lease-ttl', '1500']);
      await waitFor(() => fixture.executions().some((execution) => execution.what === 'start'), {
        timeoutMs: SCALE_WAIT_MS,
        message: 'the tool to start',
      });
      const held = await store.getRun(runId ?? '');
      expect(held?.lease).not.toBeNull();
      expect(fixture.executions().map((execution) => execution.pid)).toEqual([first.child.pid]);
      first.child.kill('SIGKILL');
      await first.exited;
      fixture.release();

      // In its own pid namespace, the second worker cannot see that the first one died (as on
      // another machine), so only the expired lease lets it take the run.
      const second = worker(['--until-idle', '--lease-ttl', '1500'], { ownPidNamespace: true });
      await expectTakenOverAfterExpiry(runId ?? '', held, second);

      const executions = fixture.executions();
      const byFirst = executions.filter((execution) => execution.pid === first.child.pid);
      const bySecond = executions.filter((execution) => execution.pid !== first.child.pid);
      expect(byFirst.map((execution) => execution.what)).toEqual(['start']);
      expect(bySecond.map((execution) => execution.what)).toEqual(['start', 'done']);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'let another worker finish the run of a worker that lost its database, once the lease expired',
    async () => {
      const proxy = new CuttableProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432));
      await proxy.start();
      try {
        const [runId] = await enqueue('gated', 1);
        const proxied = new URL(url);
        proxied.host = `127.0.0.1:${proxy.port}`;
        const cutOff = spawnCli(['worker', '--db', proxied.href, '--lease-ttl', '1500'], { env: CHILD_ENV });
        children.push(cutOff);
        await waitFor(() => fixture.executions().length > 0, {
          timeoutMs: SCALE_WAIT_MS,
          message: 'the tool to start',
        });
        const held = await store.getRun(runId ?? '');
        await proxy.cut();
        // The cut-off worker's tool may now finish, but it can neither commit the result nor
        // renew its lease.
        fixture.release();

        const second = worker(['--until-idle', '--lease-ttl', '1500'], { ownPidNamespace: true });
        const { events, secondStart } = await expectTakenOverAfterExpiry(runId ?? '', held, second);
        // Whatever the cut-off worker did after the cut never reached the log: the one tool result
        // is the second worker's, committed after it took the run over.
        const results = events.filter((event) => event.type === 'tool.result');
        expect(results).toHaveLength(1);
        expect(results[0]?.seq).toBeGreaterThan(secondStart?.seq ?? Number.POSITIVE_INFINITY);
        const byCutOff = fixture.executions().filter((execution) => execution.pid === cutOff.child.pid);
        expect(byCutOff[0]?.what).toBe('start');
      } finally {
        await proxy.close();
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
