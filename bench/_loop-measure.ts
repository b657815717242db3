// The loop bench's measurement: each system runs the same tool loop in a child process of its
// own (`_loop-child.ts`), and the parent turns the per-step timings into one table row.
import { fileURLToPath } from 'node:url';
import { inChild } from './_child.js';
import { report } from './_report.js';
import { ascending, mean, median, percentile } from './_stats.js';
import { ms, printTable, versus } from './_table.js';
import { SYSTEMS, type SystemId } from './systems/index.js';

/** First and last steps compared, to show whether the cost per step grows with the transcript. */
export const WINDOW = 20;
const LONG_STEPS = Number(process.env.BENCH_LONG_STEPS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** 200 steps: at least 5 runs, more while under SECONDS (up to 50), so fast systems' medians settle. */
const SHORT_PLAN: RunPlan = { minimum: 5, seconds: SECONDS, maximum: 50 };
/** The long loop: one run, more while under half of SECONDS (up to 10). */
const LONG_PLAN: RunPlan = { minimum: 1, seconds: SECONDS / 2, maximum: 10 };
const CHILD = fileURLToPath(new URL('./_loop-child.ts', import.meta.url));

/** How many runs to measure: at least `minimum`, more while under `seconds`, at most `maximum`. */
export interface RunPlan {
  minimum: number;
  seconds: number;
  maximum: number;
}

/** One measured run: each step's duration, and the steps a WAL checkpoint landed in (SQLite systems). */
export interface MeasuredRun {
  stepMs: number[];
  totalMs: number;
  checkpointSteps?: number[];
  /** Checkpoints a background thread ran during the run (off every step's path). */
  backgroundCheckpoints?: number;
}

/** What a loop child sends back: the measured runs, and the statements they sent to Postgres. */
export interface LoopSample {
  runs: MeasuredRun[];
  statements?: number;
  /** Transactions the store's appends committed (SQLite). */
  transactions?: number;
}

/** One system's row. */
export interface LoopResult {
  id: SystemId;
  label: string;
  steps: number;
  runs: number;
  /** Median over runs of the run's wall time / steps (start to finish, so start-up is in it). */
  msPerStep: number;
  /** Percentiles over every measured step of every run. */
  p50: number;
  p99: number;
  /** Median over runs of the mean of the first / last {@link WINDOW} steps. */
  first: number;
  last: number;
  peakRssMb: number;
  statementsPerStep?: number;
  /** Store transactions per step (the run's `run.started` and end included). */
  transactionsPerStep?: number;
  /** Steps per run that a WAL checkpoint landed in, and their median duration. */
  checkpointsPerRun?: number;
  checkpointStepMs?: number;
  /** Checkpoints per run that a background thread ran instead. */
  backgroundCheckpointsPerRun?: number;
}

/** Runs `id`'s loop of `steps` model calls as `plan` says (after a warm-up) in a child process. */
export async function measureLoop(id: SystemId, steps: number, plan: RunPlan): Promise<LoopResult> {
  const { result, peakRssMb } = await inChild<LoopSample>(CHILD, [id, String(steps), JSON.stringify(plan)]);
  const allSteps = ascending(result.runs.flatMap((run) => run.stepMs));
  const runs = result.runs.length;
  const { statements, transactions } = result;
  const checkpointed = result.runs.some((run) => run.checkpointSteps !== undefined)
    ? result.runs.flatMap((run) =>
        (run.checkpointSteps ?? []).map((index) => run.stepMs[index] ?? Number.NaN),
      )
    : undefined;
  return {
    id,
    label: SYSTEMS[id].label,
    steps,
    runs,
    msPerStep: median(result.runs.map((run) => run.totalMs / steps)),
    p50: percentile(allSteps, 50),
    p99: percentile(allSteps, 99),
    first: median(result.runs.map((run) => mean(run.stepMs.slice(0, WINDOW)))),
    last: median(result.runs.map((run) => mean(run.stepMs.slice(-WINDOW)))),
    peakRssMb,
    ...(statements !== undefined && { statementsPerStep: statements / (steps * runs) }),
    ...(transactions !== undefined && { transactionsPerStep: transactions / (steps * runs) }),
    ...(result.runs.some((run) => run.backgroundCheckpoints !== undefined) && {
      backgroundCheckpointsPerRun: mean(result.runs.map((run) => run.backgroundCheckpoints ?? 0)),
    }),
    ...(checkpointed && {
      checkpointsPerRun: checkpointed.length / runs,
      checkpointStepMs: median(checkpointed),
    }),
  };
}

/** Measures each of `ids` in turn; a system that fails is reported and left out, not fatal. */
export async function measureLoops(
  ids: readonly SystemId[],
  steps: number,
  plan: RunPlan,
): Promise<LoopResult[]> {
  const results: LoopResult[] = [];
  for (const id of ids) {
    try {
      results.push(await measureLoop(id, steps, plan));
    } catch (error) {
      console.log(`! ${SYSTEMS[id].label}: not measured (${firstLine(error)})`);
    }
  }
  return results;
}

/** The child's first error line, e.g. "Error: Cannot find package ..." (the output follows the exit line). */
function firstLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  return lines.find((line) => /error/i.test(line) && !line.includes(' exited ')) ?? lines[0] ?? '';
}

/** Prints `results` as one table, each row compared with `reference` (a row's id). */
export function printLoopTable(results: readonly LoopResult[], reference: SystemId): void {
  const base = results.find((result) => result.id === reference);
  const optional = (value: number | undefined, digits: number) =>
    value === undefined ? '' : value.toFixed(digits);
  printTable(
    [
      '',
      'ms/step',
      'p50',
      'p99',
      `first ${WINDOW}`,
      `last ${WINDOW}`,
      'last/first',
      'peak RSS MB',
      'runs',
      'stmts/step',
      'tx/step',
      'ckpt/run',
      'ckpt step',
      'bg ckpt/run',
      `vs ${base?.label ?? reference}`,
    ],
    results.map((result) => [
      result.label,
      ms(result.msPerStep),
      ms(result.p50),
      ms(result.p99),
      ms(result.first),
      ms(result.last),
      `${(result.last / result.first).toFixed(1)}×`,
      result.peakRssMb.toFixed(0),
      String(result.runs),
      optional(result.statementsPerStep, 1),
      optional(result.transactionsPerStep, 2),
      optional(result.checkpointsPerRun, 1),
      result.checkpointStepMs === undefined ? '' : ms(result.checkpointStepMs),
      optional(result.backgroundCheckpointsPerRun, 1),
      result.id === reference || base === undefined ? '' : versus(result.msPerStep, base.msPerStep),
    ]),
  );
}

/** Hands each row's figures to the closing summary, under `<prefix>.<id>.<figure>`. */
export function reportLoops(prefix: string, results: readonly LoopResult[]): void {
  for (const result of results) {
    const key = `${prefix}.${result.id}`;
    report(`${key}.msPerStep`, result.msPerStep);
    report(`${key}.p50`, result.p50);
    report(`${key}.p99`, result.p99);
    report(`${key}.peakRssMb`, result.peakRssMb);
    report(`${key}.statementsPerStep`, result.statementsPerStep);
    report(`${key}.transactionsPerStep`, result.transactionsPerStep);
    report(`${key}.checkpointsPerRun`, result.checkpointsPerRun);
    report(`${key}.checkpointStepMs`, result.checkpointStepMs);
    report(`${key}.backgroundCheckpointsPerRun`, result.backgroundCheckpointsPerRun);
  }
}

/**
 * The loop at 200 steps and at BENCH_LONG_STEPS (default 1,000) for each of `ids`: two tables
 * compared with `reference`, figures reported under `<prefix>` and `<prefix>-long`.
 */
export async function compareLoops(
  prefix: string,
  ids: readonly SystemId[],
  reference: SystemId,
): Promise<{ short: LoopResult[]; long: LoopResult[] }> {
  console.log(
    'ms/step: a run start to finish / steps (median of runs; a system that opens a database file per run ' +
      'opens it before and closes it after the timed window); p50/p99: over every step of every run;',
  );
  console.log(
    'ckpt/run: steps per run a WAL checkpoint in a commit landed in; ckpt step: their median ms; ' +
      'bg ckpt/run: checkpoints per run a background thread ran.\n',
  );
  const describe = (steps: number, plan: RunPlan) =>
    `${steps.toLocaleString('en')} steps: ${plan.minimum} run(s) or more (for ${plan.seconds} s, up to ${plan.maximum}) after a warm-up run`;
  console.log(describe(200, SHORT_PLAN));
  const short = await measureLoops(ids, 200, SHORT_PLAN);
  printLoopTable(short, reference);
  reportLoops(prefix, short);
  console.log(`\n${describe(LONG_STEPS, LONG_PLAN)}`);
  const long = await measureLoops(ids, LONG_STEPS, LONG_PLAN);
  printLoopTable(long, reference);
  reportLoops(`${prefix}-long`, long);
  return { short, long };
}
