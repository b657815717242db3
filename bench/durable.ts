// `npm run bench durable`: the durable agent loop side by side with the one-commit floors.
// Baton on SQLite (synchronous NORMAL and FULL) and on Postgres, LangGraph with SqliteSaver
// (durability 'sync') and DBOS Transact on Postgres (one checkpointed step per agent step) run
// the same tool loop as bench/loop.ts, each in a child process of its own; Baton in memory is
// the reference. BENCH_SECONDS (default 2) and BENCH_LONG_STEPS (default 1,000) tune it.
import { sqliteCommitFloor } from '../src/store/sqlite/index.js';
import { compareLoops, type LoopResult } from './_loop-measure.js';
import { postgresCommitFloor } from './_postgres.js';
import { report } from './_report.js';
import { loadAverage, ms, times, versus } from './_table.js';
import type { SystemId } from './systems/index.js';

const DURABLE: SystemId[] = [
  'baton-memory',
  'baton-sqlite-normal',
  'baton-sqlite-full',
  'baton-postgres',
  'langgraph-sqlite',
  'dbos-postgres',
];

console.log(`durable: the same tool loop, durable, each system in its own process (${loadAverage()})`);
const floors = {
  sqliteNormal: sqliteCommitFloor({ synchronous: 'NORMAL' }),
  // Like for like: a FULL store writes its WAL out at open, so its commits overwrite blocks.
  sqliteFull: sqliteCommitFloor({ synchronous: 'FULL', iterations: 300, writtenWal: true }),
  sqliteFullGrowing: sqliteCommitFloor({ synchronous: 'FULL', iterations: 300 }),
  postgres: await postgresCommitFloor(),
};
report('floor.sqliteNormal', floors.sqliteNormal);
report('floor.sqliteFull', floors.sqliteFull);
report('floor.sqliteFullGrowing', floors.sqliteFullGrowing);
report('floor.postgres', floors.postgres);
console.log(
  `\none-commit floors: SQLite NORMAL ${ms(floors.sqliteNormal)} ms (empty WAL transaction), ` +
    `FULL ${ms(floors.sqliteFull)} ms (fsync'd, into a written WAL as a FULL store's; ` +
    `${ms(floors.sqliteFullGrowing)} ms growing the file), Postgres ${ms(floors.postgres)} ms (one autocommitted INSERT)\n`,
);
const { short } = await compareLoops('durable', DURABLE, 'baton-memory');
printVerdicts(short);
console.log(`\n${loadAverage()}`);

/** The comparisons issue 18 asks of the durable step (200 steps), in words. */
function printVerdicts(results: readonly LoopResult[]): void {
  const row = (id: SystemId) => results.find((result) => result.id === id);
  const normal = row('baton-sqlite-normal');
  const full = row('baton-sqlite-full');
  const postgres = row('baton-postgres');
  const lines: string[] = [];
  if (normal) {
    lines.push(
      `Baton SQLite NORMAL step = ${times(normal.msPerStep / floors.sqliteNormal)} one NORMAL commit; ` +
        `LangGraph SqliteSaver ${versus(row('langgraph-sqlite')?.msPerStep ?? Number.NaN, normal.msPerStep)}`,
    );
  }
  if (full)
    lines.push(`Baton SQLite FULL step = ${times(full.msPerStep / floors.sqliteFull)} one fsync'd commit`);
  if (postgres) {
    lines.push(
      `Baton Postgres step = ${times(postgres.msPerStep / floors.postgres)} one INSERT commit, ` +
        `${(postgres.statementsPerStep ?? Number.NaN).toFixed(1)} statements/step; ` +
        `DBOS per checkpointed step ${versus(row('dbos-postgres')?.msPerStep ?? Number.NaN, postgres.msPerStep)}`,
    );
  }
  if (lines.length > 0) console.log(`\n200 steps: ${lines.join('\n')}`);
}
