// `npm run bench [filter]`: runs every bench/*.ts (except this file, `_`-prefixed helpers and
// subfolders) one after another, each in its own process so that timings and peak RSS do not
// mix, then prints issue 18's targets beside the figures the pieces reported. The load
// average is printed at the start and the end: on a shared machine it says how far to trust
// the numbers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readReport } from './_report.js';
import { printSummary } from './_summary.js';
import { busyWarning, loadAverage } from './_table.js';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];

const benches = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => entry.name)
  .filter((name) => name !== basename(fileURLToPath(import.meta.url)))
  .filter((name) => !name.startsWith('_') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts'))
  .filter((name) => filter === undefined || name.includes(filter))
  .sort();

if (benches.length === 0) {
  console.error(
    filter === undefined ? 'no benchmarks in bench/' : `no benchmark in bench/ matches "${filter}"`,
  );
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-report-'));
const reportFile = join(scratch, 'figures.ndjson');

function runBench(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, file)], {
      stdio: 'inherit',
      env: { ...process.env, BATON_BENCH_REPORT: reportFile },
    });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const started = performance.now();
console.log(`npm run bench: ${benches.join(', ')} (Node ${process.version}; start: ${loadAverage()})`);
const busyAtStart = busyWarning();
if (busyAtStart) console.log(busyAtStart);
const failed: string[] = [];
try {
  for (const file of benches) {
    const pieceStarted = performance.now();
    console.log(`\n=== bench/${file} ===\n`);
    if ((await runBench(file)) !== 0) failed.push(file);
    console.log(`\n(bench/${file}: ${((performance.now() - pieceStarted) / 1000).toFixed(0)} s)`);
  }
  console.log('\n=== summary ===\n');
  printSummary(readReport(reportFile));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const minutes = (performance.now() - started) / 60_000;
console.log(`\n${minutes.toFixed(1)} min in all; end: ${loadAverage()}`);
const busyAtEnd = busyWarning();
if (busyAtEnd) console.log(busyAtEnd);
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
