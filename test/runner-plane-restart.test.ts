import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExec } from '../src/governed/start-exec.js';
import { loadOrCreateKeys, type SigningKeys } from '../src/proof/keys.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { type BreakingProxy, startBreakingProxy } from './helpers/breaking-proxy.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// The unlucky operator restarts the plane (a deploy) while a runner is in the middle of a run:
// the plane is down exactly when the run's command ends and the runner uploads its patch and
// records its end. The runner repeats those calls until the plane is back, and the run completes
// as if nothing happened: one patch, one receipt, every event once.

const LONG = { timeoutMs: 120_000, intervalMs: 100 };

describe('a plane restarted while a runner is mid-run', () => {
  let outside = '';
  let repo: TempRepo;
  let planeHome = '';
  let db = '';
  let plane: ServeProcess | undefined;
  let runner: RunnerProcess | undefined;
  let stopping: RunnerProcess | undefined;
  let store: SqliteStore;
  let planeKeys: SigningKeys;
  // The runner talks to the plane through a proxy, so a restarted plane may take any free port.
  let proxy: BreakingProxy;

  const startPlane = () =>
    startServeProcess(
      ['--db', db, '--port', '0', '--workers', '0', '--allowed-host', new URL(proxy.url).host],
      { env: { BATON_HOME: planeHome } },
    );

  const stopPlane = async () => {
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    plane = undefined;
  };
  /** SIGTERMs a runner and resolves with how long it took to exit. */
  const msToStop = async ({ child }: RunnerProcess): Promise<number> => {
    const closed = new Promise((resolve) => child.on('close', resolve));
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    await closed;
    return Date.now() - stoppedAt;
  };

  beforeAll(async () => {
    outside = outsideTmpDir('baton-plane-restart-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    planeHome = join(outside, 'plane');
    mkdirSync(planeHome);
    db = join(planeHome, 'baton.db');
    proxy = await startBreakingProxy(() => new URL(plane?.url ?? 'http://127.0.0.1:9'));
    plane = await startPlane();
    store = new SqliteStore(db);
    planeKeys = await loadOrCreateKeys(planeHome);
  }, 60_000);

  afterAll(async () => {
    runner?.kill();
    stopping?.kill();
    await proxy?.close();
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    await store?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('completes the run once the plane is back, its end and patch recorded once', async () => {
    runner = await startRunnerProcess(proxy.url, join(outside, 'runner'), ['--poll-interval', '100']);
    const { runId } = await startExec(store, {
      dir: repo.dir,
      command: ['sh', '-c', 'sleep 2; echo restarted > out.txt'],
      keys: planeKeys,
      batonHome: planeHome,
      storePath: db,
      pool: 'default',
    });
    const eventsOf = async () => {
      const run = await store.getRun(runId);
      return (await store.readEvents(run?.sessionId ?? '')).filter((event) => event.runId === runId);
    };
    await waitFor(async () => (await eventsOf()).some((event) => event.type === 'run.started'), {
      ...LONG,
      message: () => `the run's start; runner: ${runner?.stderr()}`,
    });
    // Down before the command ends, back a few seconds after: the runner's end-of-run calls
    // meet a refused connection first.
    await stopPlane();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    plane = await startPlane();

    const ended = await waitFor(
      async () => {
        const run = await store.getRun(runId);
        return run?.status === 'succeeded' || run?.status === 'failed' ? run : undefined;
      },
      { ...LONG, message: () => `the run's end; runner: ${runner?.stderr()}` },
    );
    const types = (await eventsOf()).map((event) => event.type);
    expect(ended?.status, `${JSON.stringify(ended?.error)}\n${runner.stderr()}`).toBe('succeeded');
    await waitFor(async () => (await eventsOf()).some((event) => event.type === 'receipt.issued'), {
      ...LONG,
      message: () => `the receipt; runner: ${runner?.stderr()}`,
    });
    const count = (type: string) => types.filter((each) => each === type).length;
    expect(count('run.started')).toBe(1);
    expect(count('workspace.patch')).toBe(1);
    expect(count('run.completed')).toBe(1);
  }, 180_000);

  it('lets a runner stop promptly while its plane is down: pool calls are not repeated for long', async () => {
    runner?.kill();
    stopping = await startRunnerProcess(proxy.url, join(outside, 'stopping'), ['--poll-interval', '100']);
    await stopPlane();
    // Let its claims meet the refused connection, then stop it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await msToStop(stopping), stopping.stderr()).toBeLessThan(10_000);
  }, 60_000);

  it('lets a runner holding a run stop within its drain while its plane is down', async () => {
    plane ??= await startPlane();
    stopping?.kill();
    stopping = await startRunnerProcess(proxy.url, join(outside, 'holding'), ['--poll-interval', '100']);
    const { runId } = await startExec(store, {
      dir: repo.dir,
      command: ['sleep', '60'],
      keys: planeKeys,
      batonHome: planeHome,
      storePath: db,
      pool: 'default',
    });
    await waitFor(async () => (await store.getRun(runId))?.status === 'running', {
      ...LONG,
      message: () => `the run's start; runner: ${stopping?.stderr()}`,
    });
    await stopPlane();
    // The drain (10 s) passes, the run is handed back: those calls meet the refused connection
    // and are not repeated for half a minute each.
    expect(await msToStop(stopping), stopping.stderr()).toBeLessThan(25_000);
  }, 90_000);
});
