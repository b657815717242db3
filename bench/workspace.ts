// `npx tsx bench/workspace.ts`: capture and restore of a generated 10,000-file repository (clean,
// and with 100 dirty files), the sandbox set-up cost per command (`true` under the run's policy vs
// spawned directly, and vs the one-stage `--ro-bind / /` view it replaced) and the cost of building
// a run's policy. BENCH_FILES, BENCH_REPEATS and BENCH_SANDBOX_REPEATS tune it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { captureWorkspace } from '../src/workspace/capture.js';
import { restoreWorkspace } from '../src/workspace/restore.js';
import { hostHardLimits } from '../src/workspace/sandbox/hard-limits.js';
import { prlimitPrefix } from '../src/workspace/sandbox/limits.js';
import { buildSandboxPolicy } from '../src/workspace/sandbox/policy.js';
import { runProcess } from '../src/workspace/sandbox/run-process.js';
import { createBwrapSandbox, createUnsandboxed } from '../src/workspace/sandbox/sandbox-exec.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SANDBOX_REPEATS = Number(process.env.BENCH_SANDBOX_REPEATS ?? 30);
const DIRTY = 100;
const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-workspace-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    stdio: 'ignore',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });
}

/** A repository of FILES small source files in 100 directories, committed once. */
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

async function captureAndRestore(
  repo: string,
  label: string,
): Promise<{ label: string; capture: number; restore: number }> {
  const captures: number[] = [];
  const restores: number[] = [];
  // Flush the generator's dirty pages first: on a busy VM their writeback dominates the first restore.
  execFileSync('sync');
  // Round 0 warms the page cache and is not counted.
  for (let round = 0; round <= REPEATS; round += 1) {
    const store = new MemoryStore();
    let manifest: Awaited<ReturnType<typeof captureWorkspace>> | undefined;
    const capture = await timed(async () => (manifest = await captureWorkspace(repo, {}, store)));
    const into = join(scratch, `restore-${label.replace(/\W+/g, '-')}-${round}`);
    const restore = await timed(() =>
      restoreWorkspace(manifest as NonNullable<typeof manifest>, into, store),
    );
    if (round > 0) {
      captures.push(capture);
      restores.push(restore);
    }
    // Restored copies stay until the end: deleting 10,000 files here would slow the next round down.
  }
  return { label, capture: median(captures), restore: median(restores) };
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

async function sandboxOverhead(): Promise<{ label: string; ms: number }[]> {
  const workspace = join(scratch, 'sandbox-ws');
  mkdirSync(workspace);
  const policy = await buildSandboxPolicy({ sourceRepository: process.cwd() });
  const command = { cwd: workspace, command: ['true'], policy, timeoutMs: 10_000, maxOutputBytes: 1024 };
  const bwrap = createBwrapSandbox();
  const none = createUnsandboxed();
  const hard = await hostHardLimits();
  await bwrap.exec(command); // the one-time bwrap probe is not part of the start cost
  // The view this change replaced: one bwrap over the whole root, for comparison.
  const legacy = () =>
    runProcess({
      argv: [
        'bwrap',
        '--unshare-all',
        '--die-with-parent',
        '--new-session',
        '--ro-bind',
        '/',
        '/',
        '--dev',
        '/dev',
        '--proc',
        '/proc',
        '--tmpfs',
        '/tmp',
        '--bind',
        workspace,
        workspace,
        '--chdir',
        workspace,
        '--',
        ...prlimitPrefix(policy.limits, hard),
        'true',
      ],
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
    });
  const variants: { label: string; work: () => Promise<unknown> }[] = [
    { label: '`true` spawned directly', work: spawnTrue },
    {
      label: "`true` with sandbox: 'none' (prlimit)",
      work: () => none.exec({ ...command, policy: { ...policy, sandbox: 'none' } }),
    },
    { label: '`true` under a one-stage bwrap over `--ro-bind / /` (before)', work: legacy },
    {
      label: "`true` under bwrap with the run's policy (deny-by-default view)",
      work: () => bwrap.exec(command),
    },
    {
      label: "`true` under bwrap with the run's policy and allowHosts (proxy + relay)",
      work: () => bwrap.exec({ ...command, policy: { ...policy, allowHosts: ['registry.npmjs.org'] } }),
    },
    {
      label: 'building the policy (once per run)',
      work: () => buildSandboxPolicy({ sourceRepository: process.cwd() }),
    },
  ];
  // Round-robin, so that load from elsewhere on the machine weighs on every variant alike.
  const samples = variants.map(() => [] as number[]);
  for (let round = 0; round < SANDBOX_REPEATS; round += 1) {
    for (const [index, variant] of variants.entries()) samples[index]?.push(await timed(variant.work));
  }
  return variants.map((variant, index) => ({ label: variant.label, ms: median(samples[index] ?? []) }));
}

try {
  const repo = generateRepository();
  const clean = await captureAndRestore(repo, `${FILES} files, clean`);
  for (let index = 0; index < DIRTY; index += 1) {
    writeFileSync(
      join(repo, `pkg-${index % 100}`, `file-${index}.ts`),
      `export const changed${index} = true;\n`,
    );
  }
  const dirty = await captureAndRestore(repo, `${FILES} files, ${DIRTY} dirty`);
  console.log(`\nworkspace capture / restore (median of ${REPEATS})\n`);
  console.log('| repository | capture ms | restore ms |');
  console.log('| --- | ---: | ---: |');
  for (const row of [clean, dirty])
    console.log(`| ${row.label} | ${row.capture.toFixed(0)} | ${row.restore.toFixed(0)} |`);
  const starts = await sandboxOverhead();
  const user =
    process.getuid?.() === 0 ? 'root (commands run as nobody, two-stage bwrap, cgroup)' : 'an ordinary user';
  console.log(`\nsandbox set-up cost per command, as ${user} (median of ${SANDBOX_REPEATS})\n`);
  console.log('| command | ms | overhead vs direct |');
  console.log('| --- | ---: | ---: |');
  const direct = starts[0]?.ms ?? 0;
  for (const row of starts)
    console.log(
      `| ${row.label} | ${row.ms.toFixed(1)} | ${row.ms >= direct ? '+' : ''}${(row.ms - direct).toFixed(1)} |`,
    );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
