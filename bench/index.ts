// `npm run bench [filter]`: runs every bench/*.ts (except this file, `_`-prefixed helpers and
// subfolders) one after another, each in its own process so that timings and peak RSS do not mix.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function runBench(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const failed: string[] = [];
for (const file of benches) {
  console.log(`\n=== bench/${file} ===\n`);
  if ((await runBench(file)) !== 0) failed.push(file);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
