// `npm run bench runs`: short runs per second, 8 in flight — one step that calls a tool, one
// that answers — on SQLite and Postgres, beside DBOS Transact's workflows on Postgres; each
// mode in a child process of its own. BENCH_SHORT_RUNS (default 400) runs per mode.
import { fileURLToPath } from 'node:url';
import { inChild } from './_child.js';
import { report } from './_report.js';
import type { ShortRunsSample } from './_runs-child.js';
import { loadAverage, printTable, versus } from './_table.js';

const COUNT = Number(process.env.BENCH_SHORT_RUNS ?? 400);
const CHILD = fileURLToPath(new URL('./_runs-child.ts', import.meta.url));
const MODES = [
  ['baton-sqlite', 'Baton, SQLite NORMAL: start + execute'],
  ['baton-sqlite-worker', 'Baton, SQLite NORMAL: queued, worker concurrency 8'],
  ['baton-postgres', 'Baton, Postgres: start + execute'],
  ['baton-postgres-worker', 'Baton, Postgres: queued, worker concurrency 8'],
  ['dbos-postgres', 'DBOS, Postgres: workflow called directly (no queue)'],
] as const;

console.log(`runs: ${COUNT} short runs per mode, 8 in flight, after 40 warm-up runs (${loadAverage()})\n`);
const rows: string[][] = [];
const measured = new Map<string, ShortRunsSample>();
for (const [mode, label] of MODES) {
  try {
    const { result, peakRssMb } = await inChild<ShortRunsSample>(CHILD, [mode, String(COUNT)]);
    measured.set(mode, result);
    report(`runs.${mode}.runsPerSecond`, result.runsPerSecond);
    report(`runs.${mode}.statementsPerRun`, result.statementsPerRun);
    const postgres = mode.includes('postgres');
    const reference = measured.get(postgres ? 'baton-postgres' : 'baton-sqlite');
    rows.push([
      label,
      result.runsPerSecond.toFixed(0),
      postgres ? result.statementsPerRun.toFixed(1) : '',
      peakRssMb.toFixed(0),
      // Fewer runs/s is slower: compare seconds per run.
      reference === undefined || reference === result
        ? ''
        : versus(1 / result.runsPerSecond, 1 / reference.runsPerSecond),
    ]);
  } catch (error) {
    console.log(`! ${label}: not measured (${String(error).split('\n')[0]})`);
  }
}
printTable(['', 'runs/s', 'statements/run', 'peak RSS MB', 'vs Baton start + execute, same store'], rows);
console.log(`\n${loadAverage()}`);
