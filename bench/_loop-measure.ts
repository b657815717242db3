// The loop bench's measurement: each system runs the same tool loop in a child process of its
// own (`_loop-child.ts`), and the parent turns the per-step timings into one table row.
import { fileURLToPath } from 'node:url';
import { inChild } from './_child.js';
import { report } from './_report.js';
import { ascending, mean, median, percentile } from './_stats.js';
import { ms, printTable, versus } from './_table.js';
import { SYSTEMS, type SystemId } from './systems/index.js';
import type { Counters } from './systems/system.js';

/** First and last steps compared, to show whether the cost per step grows with the transcript. */
export const WINDOW = 20;
const CHILD = fileURLToPath(new URL('./_loop-child.ts', import.meta.url));

/** What a loop child sends back: each measured run's step durations, and the counters' growth. */
export interface LoopSample {
  runs: { stepMs: number[]; totalMs: number }[];
  counters: Counters;
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
  walCheckpointsPerRun?: number;
}

/** Runs `id`'s loop of `steps` model calls `runs` times (after a warm-up) in a child process. */
export async function measureLoop(id: SystemId, steps: number, runs: number): Promise<LoopResult> {
  const { result, peakRssMb } = await inChild<LoopSample>(CHILD, [id, String(steps), String(runs)]);
  const allSteps = ascending(result.runs.flatMap((run) => run.stepMs));
  const measuredSteps = steps * runs;
  const { statements, walCheckpoints } = result.counters;
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
    ...(statements !== undefined && { statementsPerStep: statements / measuredSteps }),
    ...(walCheckpoints !== undefined && { walCheckpointsPerRun: walCheckpoints / runs }),
  };
}

/** Measures each of `ids` in turn; a system that fails is reported and left out, not fatal. */
export async function measureLoops(
  ids: readonly SystemId[],
  steps: number,
  runs: number,
): Promise<LoopResult[]> {
  const results: LoopResult[] = [];
  for (const id of ids) {
    try {
      results.push(await measureLoop(id, steps, runs));
    } catch (error) {
      console.log(`! ${SYSTEMS[id].label}: not measured (${firstLine(error)})`);
    }
  }
  return results;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '' && !line.includes('exited')) ?? text;
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
      'stmts/step',
      'WAL ckpt/run',
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
      optional(result.statementsPerStep, 1),
      optional(result.walCheckpointsPerRun, 1),
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
    report(`${key}.walCheckpointsPerRun`, result.walCheckpointsPerRun);
  }
}
