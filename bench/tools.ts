// `npx tsx bench/tools.ts`: the longest event-loop stall (and the median duration) of each
// workspace tool on a generated workspace, measured by a timer probe ticking every 5 ms. A
// worker process renews its leases on that loop: a stall of seconds loses them. Two reference
// rows show what the old main-thread designs cost. BENCH_TOOL_REPEATS tunes it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RE2JS } from 're2js';
import type { AnyTool } from '../src/core/tool.js';
import { workspaceTools } from '../src/workspace/tools/workspace-tools.js';
import { measureStall } from '../test/helpers/event-loop-stall.js';
import { callTool } from '../test/helpers/tool-context.js';

const REPEATS = Number(process.env.BENCH_TOOL_REPEATS ?? 10);
const FILES = 2000;
const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-tools-'));
const root = join(scratch, 'ws');

/** A line with no newline that a heavy (large-program) pattern scans slowly even in linear time. */
function randomLine(bytes: number): string {
  const letters = 'abcxyz';
  let seed = 1;
  let line = '';
  for (let index = 0; index < bytes; index += 1) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    line += letters[seed % letters.length];
  }
  return line;
}

function generateWorkspace(): void {
  for (let index = 0; index < FILES; index += 1) {
    const folder = join(root, `pkg-${index % 50}`);
    if (index < 50) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file-${index}.ts`), `export const value${index} = ${index};\n`.repeat(20));
  }
  writeFileSync(join(root, 'big.txt'), 'x'.repeat(200 * 1024));
  writeFileSync(join(root, 'edit.ts'), 'const marker = 1;\n');
  writeFileSync(join(root, 'aaa.txt'), `${'a'.repeat(30)}b\n`.repeat(100));
  writeFileSync(join(root, 'long-line.txt'), randomLine(1024 * 1024));
  execFileSync('mkfifo', [join(root, 'pipe')]);
}

interface Row {
  tool: string;
  case: string;
  medianMs: number;
  longestStallMs: number;
  outcome: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(
  label: [string, string],
  work: () => Promise<unknown>,
  repeats = REPEATS,
): Promise<Row> {
  const durations: number[] = [];
  let longest = 0;
  let outcome = 'ok';
  for (let round = 0; round < repeats; round += 1) {
    const started = performance.now();
    const { stallMs, value } = await measureStall(() =>
      work().then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      ),
    );
    durations.push(performance.now() - started);
    longest = Math.max(longest, stallMs);
    outcome = value;
  }
  return { tool: label[0], case: label[1], medianMs: median(durations), longestStallMs: longest, outcome };
}

try {
  generateWorkspace();
  const tools = new Map<string, AnyTool>(workspaceTools(root).map((entry) => [entry.name, entry]));
  const call = (name: string, input: unknown) => async () => {
    const target = tools.get(name);
    if (!target) throw new Error(`no tool ${name}`);
    return callTool(target, input);
  };
  const rows: Row[] = [];
  rows.push(await measure(['read_file', '200 KiB file'], call('read_file', { path: 'big.txt' })));
  rows.push(await measure(['read_file', 'a FIFO (refused)'], call('read_file', { path: 'pipe' })));
  rows.push(
    await measure(
      ['write_file', '200 KiB'],
      call('write_file', { path: 'out.txt', content: 'y'.repeat(200 * 1024) }),
    ),
  );
  rows.push(
    await measure(['write_file', 'a FIFO (refused)'], call('write_file', { path: 'pipe', content: 'x' })),
  );
  rows.push(
    await measure(
      ['edit_file', 'one replacement'],
      call('edit_file', { path: 'edit.ts', old_string: 'marker = 1', new_string: 'marker = 1' }),
    ),
  );
  rows.push(await measure(['list_files', `${FILES} files`], call('list_files', {})));
  rows.push(await measure(['grep', `literal over ${FILES} files`], call('grep', { pattern: 'value1999 =' })));
  rows.push(
    await measure(['grep', '(a+)+$ on 31-char lines'], call('grep', { pattern: '(a+)+$', path: 'aaa.txt' })),
  );
  rows.push(
    await measure(
      ['grep', 'heavy pattern, 1 MiB line'],
      call('grep', { pattern: '(?:a.{1000}b|c.{999}x)$', path: 'long-line.txt' }),
      2,
    ),
  );
  // Reference rows: the designs this replaced, on inputs small enough to finish.
  rows.push(
    await measure(
      ['(before) RegExp', '(a+)+$ on 24 chars, main thread'],
      async () => /(a+)+$/.test(`${'a'.repeat(24)}b`),
      1,
    ),
  );
  rows.push(
    await measure(
      ['(rejected) re2js', 'heavy pattern, 128 KiB line, main thread'],
      async () => RE2JS.compile('(?:a.{1000}b|c.{999}x)$').test(randomLine(128 * 1024)),
      1,
    ),
  );
  console.table(
    rows.map((row) => ({
      tool: row.tool,
      case: row.case,
      'median ms': Number(row.medianMs.toFixed(1)),
      'longest stall ms': Number(row.longestStallMs.toFixed(1)),
      outcome: row.outcome,
    })),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
