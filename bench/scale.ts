// `npx tsx bench/scale.ts`: runs/s and median run latency with 1, 2 and 4 `baton worker`
// processes on one Postgres database, and the same workload on SQLite with one process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createRuntime } from '../src/baton-runtime.js';
import { agentModuleLoader } from '../src/runtime/agent-loader.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { RunRecord } from '../src/store/run-store.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { type BackgroundCli, createScaleFixture, spawnCli } from '../test/helpers/scale-fixture.js';
import { postgresCommitFloor } from './_postgres.js';
import { report } from './_report.js';
import { ascending, percentile } from './_stats.js';
import { loadAverage, printTable } from './_table.js';

const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 4);
const fixture = createScaleFixture();
const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-scale-'));
/** Finds the workers' postgres backends for the CPU accounting. */
const admin = new pg.Client({ connectionString: PG_URL });

interface Measured {
  label: string;
  /** CPU milliseconds per run: the worker processes, and the postgres backends serving them. */
  workerCpuMs: number;
  postgresCpuMs: number;
  /** Share of all cores busy during the drain (every process on the machine). */
  machineBusy: number;
  runsPerSecond: number;
  wallRunsPerSecond: number;
  medianLatencyMs: number;
  p95LatencyMs: number;
}

// Linux accounting: /proc/<pid>/stat fields 14-15 are user and system time in clock ticks
// (100 per second on every mainstream kernel), /proc/stat's first line sums all cores.
const TICKS_PER_SECOND = 100;

function processTicks(pid: number | string): { name: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks of the postgres backends whose application_name starts with `application` (the
 * workers' connections; the URL's `application_name` names them). Other jobs on the same
 * server are left out, and so are its shared background processes (WAL writer, checkpointer).
 */
async function postgresBackends(application: string): Promise<Map<string, number>> {
  const rows = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE starts_with(application_name, $1)',
    [application],
  );
  const ticks = new Map<string, number>();
  for (const { pid } of rows.rows) {
    const sample = processTicks(pid);
    if (sample?.name === 'postgres') ticks.set(String(pid), sample.ticks);
  }
  return ticks;
}

/**
 * Samples CPU ticks every 100 ms while a drain runs: the workers' postgres backends from their
 * birth (all connect after the sampler starts), workers from the moment they report "started",
 * so the TypeScript loading at process start is left out.
 */
class CpuSampler {
  private readonly postgresLast = new Map<string, number>();
  private readonly workerFirst = new Map<number, number>();
  private readonly workerLast = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly workers: BackgroundCli[],
    private readonly application: string,
  ) {
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample());
    }, 100);
  }

  private async sample(): Promise<void> {
    for (const [pid, ticks] of await postgresBackends(this.application)) {
      this.postgresLast.set(pid, ticks);
    }
    for (const worker of this.workers) {
      const pid = worker.child.pid;
      const ticks = pid === undefined ? undefined : processTicks(pid)?.ticks;
      if (pid === undefined || ticks === undefined || !worker.stderr().includes(' started')) continue;
      if (!this.workerFirst.has(pid)) this.workerFirst.set(pid, ticks);
      this.workerLast.set(pid, ticks);
    }
  }

  /** Stops sampling; CPU seconds used by the workers and by their postgres backends. */
  async stop(): Promise<{ workerSeconds: number; postgresSeconds: number }> {
    clearInterval(this.timer);
    await this.sampling;
    const workerTicks = [...this.workerLast].reduce(
      (sum, [pid, ticks]) => sum + ticks - (this.workerFirst.get(pid) ?? ticks),
      0,
    );
    const postgresTicks = [...this.postgresLast.values()].reduce((sum, ticks) => sum + ticks, 0);
    return {
      workerSeconds: workerTicks / TICKS_PER_SECOND,
      postgresSeconds: postgresTicks / TICKS_PER_SECOND,
    };
  }
}

function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const values = fields.map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

async function enqueue(store: Store): Promise<void> {
  const runtime = createRuntime({ store, agents: [], loadAgentModule: agentModuleLoader() });
  const agentModule = fixture.agentFile('record');
  for (let index = 0; index < RUNS; index += 10) {
    const batch = Array.from({ length: Math.min(10, RUNS - index) }, (_, offset) =>
      runtime.start({ agent: 'record', message: `job ${index + offset}`, agentModule }),
    );
    await Promise.all(batch);
  }
  await runtime.close();
}

async function allRuns(store: Store): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 500, ...(cursor !== undefined && { cursor }) });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return runs;
}

/** Enqueues the workload, drains it with `workers` processes, and reads the timings back from the runs. */
async function drain(
  label: string,
  db: string,
  /** The application_name of the workers' postgres connections. */
  application: string,
  open: () => Promise<Store>,
  workers: number,
): Promise<Measured> {
  const store = await open();
  await enqueue(store);
  await store.close();
  const started = performance.now();
  const machineBefore = machineTicks();
  const children = Array.from({ length: workers }, () =>
    spawnCli(
      ['worker', '--db', db, '--until-idle', '--concurrency', String(CONCURRENCY), '--poll-interval', '20'],
      {
        env: { BATON_PG_POOL_SIZE: String(CONCURRENCY + 1) },
      },
    ),
  );
  // A process's CPU time is only readable while it lives: sample until the workers exit.
  const sampler = new CpuSampler(children, application);
  const exits = await Promise.all(children.map((child) => child.exited));
  const cpu = await sampler.stop();
  const machineAfter = machineTicks();
  const wallSeconds = (performance.now() - started) / 1000;
  const failed = exits.findIndex((exit) => exit.code !== 0);
  if (failed >= 0) throw new Error(`worker exited ${exits[failed]?.code}: ${children[failed]?.stderr()}`);
  const check = await open();
  const runs = await allRuns(check);
  await check.close();
  const succeeded = runs.filter((run) => run.status === 'succeeded');
  if (succeeded.length !== RUNS) throw new Error(`${label}: only ${succeeded.length}/${RUNS} runs succeeded`);
  const starts = succeeded.map((run) => Date.parse(run.startedAt ?? ''));
  const ends = succeeded.map((run) => Date.parse(run.finishedAt ?? ''));
  const latencies = succeeded.map((_run, index) => (ends[index] ?? 0) - (starts[index] ?? 0));
  // The busy window (first run started to last run finished) leaves process start-up out.
  const busySeconds = (Math.max(...ends) - Math.min(...starts)) / 1000;
  const msPerRun = (seconds: number) => (seconds * 1000) / RUNS;
  return {
    label,
    workerCpuMs: msPerRun(cpu.workerSeconds),
    postgresCpuMs: msPerRun(cpu.postgresSeconds),
    machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    runsPerSecond: RUNS / busySeconds,
    wallRunsPerSecond: RUNS / wallSeconds,
    medianLatencyMs: percentile(ascending(latencies), 50),
    p95LatencyMs: percentile(ascending(latencies), 95),
  };
}

async function postgres(workers: number): Promise<Measured> {
  const schema = uniqueSchema('bench_scale');
  const named = new URL(schemaUrl(schema));
  // The URL's application_name wins over Baton's default and tags the workers' backends.
  named.searchParams.set('application_name', schema);
  const url = named.href;
  try {
    return await drain(
      `Postgres, ${workers} worker process${workers > 1 ? 'es' : ''}`,
      url,
      schema,
      () => openPostgresStore(url, { poolSize: 10 }),
      workers,
    );
  } finally {
    await dropSchema(schema);
  }
}

async function sqlite(): Promise<Measured> {
  const file = join(scratch, 'scale.db');
  // No postgres backend carries this name, so the postgres CPU column reads 0.
  return drain('SQLite, 1 worker process', file, 'baton-bench-sqlite', async () => new SqliteStore(file), 1);
}

try {
  await admin.connect();
  console.log(
    `scale: ${RUNS} runs of one tool call + one answer (2 model steps) per drain; ` +
      `--concurrency ${CONCURRENCY} per worker process (${loadAverage()})\n`,
  );
  const results: Measured[] = [];
  for (const workers of [1, 2, 4]) results.push(await postgres(workers));
  results.push(await sqlite());
  const floor = await postgresCommitFloor();
  printTable(
    [
      '',
      'runs/s',
      'runs/s (wall)',
      'median latency',
      'p95 latency',
      'worker CPU',
      'postgres CPU',
      'CPU busy',
    ],
    results.map((result) => [
      result.label,
      result.runsPerSecond.toFixed(1),
      result.wallRunsPerSecond.toFixed(1),
      `${result.medianLatencyMs.toFixed(0)} ms`,
      `${result.p95LatencyMs.toFixed(0)} ms`,
      `${result.workerCpuMs.toFixed(1)} ms/run`,
      `${result.postgresCpuMs.toFixed(1)} ms/run`,
      `${(result.machineBusy * 100).toFixed(0)} %`,
    ]),
  );
  for (const result of results) report(`scale.${result.label}.runsPerSecond`, result.runsPerSecond);
  console.log(`\nPostgres commit floor (one connection, one autocommitted INSERT): ${floor.toFixed(2)} ms`);
  console.log(
    'runs/s counts the busy window (first run started to last run finished); "wall" includes process start-up.\n' +
      `CPU: per run, of the worker processes and of the postgres backends serving them; "CPU busy" is the share\n` +
      `of all ${cpus().length} cores in use during the drain, by any process.\n\n${loadAverage()}`,
  );
} finally {
  await admin.end();
  fixture.cleanup();
  rmSync(scratch, { recursive: true, force: true });
}
