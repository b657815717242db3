import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExec } from '../src/governed/start-exec.js';
import { loadOrCreateKeys, type SigningKeys } from '../src/proof/keys.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { type RunnerProcess, startRunnerProcess } from './helpers/runner-process.js';
import { type ServeProcess, startServeProcess } from './helpers/serve-process.js';

// One plane (`baton serve`, real SQLite) and one runner process holding two runs at once
// (`--concurrency 2`): each run's patch and receipt must be uploaded as that run's, or the
// plane refuses the run's own `workspace.patch` and its receipt.

const LONG = { timeoutMs: 120_000, intervalMs: 100 };

describe('a runner holding several runs at once', () => {
  let outside = '';
  let repo: TempRepo;
  let planeHome = '';
  let db = '';
  let plane: ServeProcess;
  let store: SqliteStore;
  let planeKeys: SigningKeys;
  let runner: RunnerProcess | undefined;

  beforeAll(async () => {
    outside = outsideTmpDir('baton-held-runs-');
    repo = createTempRepo({ 'a.txt': 'one\n' }, { parent: outside });
    planeHome = join(outside, 'plane');
    mkdirSync(planeHome);
    db = join(planeHome, 'baton.db');
    plane = await startServeProcess(['--db', db, '--port', '0', '--workers', '0'], {
      env: { BATON_HOME: planeHome },
    });
    store = new SqliteStore(db);
    planeKeys = await loadOrCreateKeys(planeHome);
  }, 60_000);

  afterAll(async () => {
    runner?.kill();
    plane?.child.kill('SIGTERM');
    await plane?.exited;
    await store?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const queue = async (command: string[]) =>
    startExec(store, {
      dir: repo.dir,
      command,
      keys: planeKeys,
      batonHome: planeHome,
      storePath: db,
      pool: 'default',
    });

  const eventsOf = async (runId: string) => {
    const run = await store.getRun(runId);
    return (await store.readEvents(run?.sessionId ?? '')).filter((event) => event.runId === runId);
  };

  it('uploads each run’s patch and receipt as that run’s, so the run that ends first completes too', async () => {
    // The first run ends while the second is still held: its uploads must not go to the second.
    const first = await queue(['sh', '-c', 'sleep 3; echo first > first.txt']);
    const second = await queue(['sh', '-c', 'sleep 8; echo second > second.txt']);
    runner = await startRunnerProcess(plane.url, join(outside, 'runner'), [
      '--concurrency',
      '2',
      '--poll-interval',
      '100',
    ]);
    for (const started of [first, second]) {
      const receipt = await waitFor(
        async () => {
          const run = await store.getRun(started.runId);
          if (run?.status === 'failed') return run;
          const events = await eventsOf(started.runId);
          return events.some((event) => event.type === 'receipt.issued') ? run : undefined;
        },
        { ...LONG, message: () => `the receipt of ${started.runId}; runner: ${runner?.stderr()}` },
      );
      const why = JSON.stringify((await eventsOf(started.runId)).at(-1));
      expect(receipt?.status, `${why}\n${runner.stderr()}`).toBe('succeeded');
      const patch = (await eventsOf(started.runId)).find((event) => event.type === 'workspace.patch');
      expect(patch?.type === 'workspace.patch' && patch.data.files).toBe(1);
      // The record of the run's uploads goes with its receipt: the log names what stays readable.
      expect(await store.listMarks(`runner.uploads:${started.runId}`)).toEqual([]);
    }
    // Both were held at once: the second started before the first ended.
    const startOfSecond = (await eventsOf(second.runId)).find((event) => event.type === 'run.started');
    const endOfFirst = (await eventsOf(first.runId)).find((event) => event.type === 'run.completed');
    expect(Date.parse(startOfSecond?.ts ?? '')).toBeLessThan(Date.parse(endOfFirst?.ts ?? ''));
  }, 240_000);
});
