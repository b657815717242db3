// `npx tsx bench/handoff.ts`: the overhead of handing off a generated 10,000-file repository
// (with 100 dirty files) to a pool, median of BENCH_REPEATS (default 5): the dry run (capture
// and disclosure, nothing uploaded), the checkpoint upload to a plane that holds none of it
// (cold) and to one that holds the previous checkpoint (warm), queue-to-start (the plane's
// `policy.decided` to the runner's `run.started`, both plane clock) and the pull of the result
// onto a branch. One plane in this process (real SQLite, real HTTP), one runner process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRuntime } from '../src/baton-runtime.js';
import { NO_SECRETS } from '../src/governed/handoff/secret-source.js';
import { handoff, localFirst, targets } from '../src/handoff/index.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { createApp } from '../src/server/app.js';
import { serve } from '../src/server/serve.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { report } from './_report.js';
import { median } from './_stats.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const DIRTY = 100;
const scratch = mkdtempSync(join('/var/tmp', 'baton-bench-handoff-'));
const repoRoot = join(fileURLToPath(import.meta.url), '..', '..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function git(cwd: string, ...args: string[]): void {
  const identity = {
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, ...identity } });
}

function generateRepository(): string {
  const dir = join(scratch, 'repo');
  mkdirSync(dir);
  for (let index = 0; index < FILES; index += 1) {
    const folder = join(dir, `pkg-${index % 100}`);
    if (index < 100) mkdirSync(folder);
    writeFileSync(join(folder, `file-${index}.ts`), `export const value${index} = ${index};\n`.repeat(8));
  }
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'generated');
  return dir;
}

function dirty(repo: string, round: number): void {
  for (let index = 0; index < DIRTY; index += 1) {
    writeFileSync(join(repo, `pkg-${index % 100}`, `file-${index}.ts`), `export const changed = ${round};\n`);
  }
}

async function startPlane(name: string) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const store = new SqliteStore(join(dir, 'baton.db'));
  const runtime = createRuntime({ store });
  const keys = await loadOrCreateKeys(join(dir, 'home'));
  const app = createApp({ runtime, handoffs: { keys, secrets: NO_SECRETS, batonHome: join(dir, 'home') } });
  const server = await serve({ app, port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    store,
    async close() {
      await server.close({ graceMs: 100 });
      await runtime.close();
      await store.close();
    },
  };
}

function startRunner(plane: string): Promise<ChildProcess> {
  const dir = join(scratch, 'runner');
  mkdirSync(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: join(dir, 'home') };
  delete env.BATON_DB;
  const args = ['--import', tsx, join(repoRoot, 'src', 'cli', 'main.ts'), 'worker', '--pool', 'default'];
  const child = spawn(process.execPath, [...args, '--plane', plane, '--poll-interval', '50'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('runner started')) resolve(child);
    });
    child.on('exit', () => reject(new Error(`the runner exited: ${log}`)));
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const policy = localFirst({ allowPools: ['default'] });
const repo = generateRepository();
dirty(repo, 0);
const figures = { dryRun: [] as number[], uploadCold: [] as number[], uploadWarm: [] as number[] };
const queueToStart: number[] = [];
const pulls: number[] = [];
let bundleBytes = 0;

for (let round = 0; round < REPEATS; round += 1) {
  const plane = await startPlane(`cold-${round}`);
  try {
    const sdk = handoff({ workspace: repo, plane: { url: plane.url }, policy });
    const dry = await timed(() => sdk.dryRun(targets.pool('default'), { task: 'bench' }));
    figures.dryRun.push(dry.ms);
    bundleBytes = dry.value.bundleBytes;
    figures.uploadCold.push((await timed(() => sdk.checkpoint('cold'))).ms);
    dirty(repo, round + 1);
    figures.uploadWarm.push((await timed(() => sdk.checkpoint('warm'))).ms);
  } finally {
    await plane.close();
  }
}

const plane = await startPlane('plane');
const runner = await startRunner(plane.url);
try {
  const sdk = handoff({ workspace: repo, plane: { url: plane.url }, policy });
  for (let round = 0; round < REPEATS; round += 1) {
    const run = await sdk.continueIn(targets.pool('default'), { task: `bench round ${round}` });
    const status = await run.wait({ timeoutMs: 300_000 });
    if (status !== 'succeeded') throw new Error(`round ${round}: the run ${status}`);
    const events = (await plane.store.readEvents(run.sessionId)).filter((event) => event.runId === run.runId);
    const decided = events.find((event) => event.type === 'policy.decided');
    const started = events.find((event) => event.type === 'run.started');
    if (decided && started) queueToStart.push(Date.parse(started.ts) - Date.parse(decided.ts));
    pulls.push((await timed(() => run.pull({ isolation: 'branch' }))).ms);
  }
} finally {
  if (runner.pid) process.kill(-runner.pid, 'SIGKILL');
  await plane.close();
  rmSync(scratch, { recursive: true, force: true });
}

const rows: [string, number][] = [
  ['dry run (capture + disclosure, nothing uploaded)', median(figures.dryRun)],
  ['checkpoint upload, cold plane', median(figures.uploadCold)],
  ['checkpoint upload, warm plane (100 files changed)', median(figures.uploadWarm)],
  ['queue-to-start (policy.decided -> run.started)', median(queueToStart)],
  ['pull onto a branch', median(pulls)],
];
console.log(
  `hand-off of a ${FILES}-file repository (${DIRTY} dirty files; checkpoint ${bundleBytes} bytes), median of ${REPEATS}:`,
);
for (const [label, ms] of rows) console.log(`  ${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms`);
report('handoff.dryRunMs', median(figures.dryRun));
report('handoff.uploadColdMs', median(figures.uploadCold));
report('handoff.uploadWarmMs', median(figures.uploadWarm));
report('handoff.queueToStartMs', median(queueToStart));
report('handoff.pullMs', median(pulls));
