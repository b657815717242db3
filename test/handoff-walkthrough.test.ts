import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideTmpDir } from '../src/testing/outside-tmp.js';
import { waitFor } from '../src/testing/wait-for.js';
import { cliCommand, collectProcess, REPO_ROOT, tsxCommand } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { markdownBlock } from './helpers/readme.js';

// docs/handoff.md's walkthrough, block by block as the doc has it: `baton` is the CLI from
// source on the PATH, `~` is a directory outside /tmp, and the doc's port 7070 and checkout
// `~/my-repo` are replaced by the plane's own port and a real dirty git repository. The plane
// and the runner are real `baton serve` / `baton worker` processes; the runner has no database.

const DOC = 'docs/handoff.md';
const DOC_PLANE = 'http://127.0.0.1:7070';
const LONG = { timeoutMs: 60_000, intervalMs: 100 };

interface Shell {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
}

describe("docs/handoff.md's walkthrough", () => {
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let planeUrl = '';
  let plane: Shell | undefined;
  let runner: Shell | undefined;
  let cliRepo: TempRepo;
  let sdkRepo: TempRepo;

  // The doc's block with this machine's plane URL, port and checkout in place of the doc's.
  const substituted = (block: string, repo?: TempRepo): string => {
    let text = block.replaceAll('--port 7070', '--port 0');
    if (planeUrl) text = text.replaceAll(DOC_PLANE, planeUrl);
    return repo ? text.replaceAll('~/my-repo', repo.dir) : text;
  };

  // A long-running block (the plane, the runner) in its own process group, its output kept.
  const startShell = (marker: string): Shell => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', substituted(markdownBlock(DOC, marker, 'sh'))], {
      cwd: home,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return { child, stdout: () => stdout, stderr: () => stderr };
  };

  const logs = () => `plane:\n${plane?.stderr()}\nrunner:\n${runner?.stderr()}`;

  const dirtyRepo = (): TempRepo => {
    const repo = createTempRepo({ 'README.md': '# demo\n' }, { parent: home });
    repo.write('README.md', '# demo, edited\n');
    repo.write('notes/todo.md', 'ship it\n');
    repo.write('.env', 'TOKEN=stays-on-the-laptop\n');
    return repo;
  };

  beforeAll(async () => {
    home = outsideTmpDir('baton-handoff-walkthrough-');
    chmodSync(home, 0o755);
    const bin = join(home, 'bin');
    mkdirSync(bin);
    const { command, args } = cliCommand([]);
    const quoted = [command, ...args].map((part) => `'${part}'`).join(' ');
    writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec ${quoted} "$@"\n`);
    chmodSync(join(bin, 'baton'), 0o755);
    env = { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete env.BATON_DB;
    delete env.BATON_HOME;
    delete env.BATON_API_TOKEN;
    cliRepo = dirtyRepo();
    sdkRepo = dirtyRepo();

    plane = startShell('handoff-walkthrough-plane');
    const listening = await waitFor(
      () => /Baton listening on (http:\/\/\S+)/.exec(plane?.stdout() ?? '')?.[1],
      {
        ...LONG,
        message: logs,
      },
    );
    planeUrl = listening;
    runner = startShell('handoff-walkthrough-runner');
    await waitFor(() => runner?.stderr().includes('runner started'), { ...LONG, message: logs });
  }, 90_000);

  afterAll(() => {
    for (const shell of [runner, plane]) if (shell?.child.pid) process.kill(-shell.child.pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('the CLI: dry run, hand-off with --wait --json --pull auto, and baton verify --trust', async () => {
    const script = substituted(markdownBlock(DOC, 'handoff-walkthrough-laptop', 'sh'), cliRepo);
    const result = await collectProcess(
      spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] }),
      120_000,
    );
    expect(result.code, `${result.stderr}\n${logs()}`).toBe(0);
    // The dry run's table: the files that would move, and the .env denied.
    expect(result.stdout).toMatch(/^FILE +BYTES +SHA256 +WHY/m);
    expect(result.stdout).toMatch(/^README\.md +\d+ /m);
    expect(result.stdout).toMatch(/^notes\/todo\.md +\d+ /m);
    expect(result.stdout).toMatch(/^\.env +secret/m);
    // The hand-off's progress, the mock agent's file pulled in place, and the receipt verified.
    expect(result.stderr).toMatch(/baton: upload: /);
    expect(result.stderr).toMatch(/baton: queued: run /);
    expect(result.stderr).toMatch(/baton: running/);
    expect(result.stderr).toMatch(/baton: pulling: auto/);
    expect(result.stdout).toMatch(/^write the release notes$/m);
    expect(readFileSync(join(cliRepo.dir, 'HANDOFF.md'), 'utf8')).toBe('write the release notes\n');
    expect(result.stdout).toMatch(/^valid: run run_\S+ succeeded, signed by key \S+ of the trust file/m);

    const output = JSON.parse(readFileSync(join(home, 'handoff.json'), 'utf8')) as {
      status: string;
      pulled: { mode: string };
      receipt: { receipt: { runner: { kind: string; pool: string } }; contract: { pool: string } };
    };
    expect(output).toMatchObject({ status: 'succeeded', pulled: { mode: 'applied' } });
    expect(output.receipt.receipt.runner).toMatchObject({ kind: 'pool', pool: 'default' });
    expect(output.receipt.contract.pool).toBe('default');
    // The runner has its own home and key, and no database of its own.
    const runnerHome = readdirSync(join(home, '.baton-runner'));
    expect(runnerHome.some((name) => name.endsWith('.db'))).toBe(false);
    // It ran the run without reaching for what only the plane has (no warning in its log).
    expect(runner?.stderr()).not.toMatch(/"level":"(warn|error)"/);
  }, 120_000);

  it('the SDK: dryRun, continueIn, wait and pull({ isolation: "auto" }) as a module', async () => {
    const sdkEntry = pathToFileURL(join(REPO_ROOT, 'src', 'handoff', 'index.ts')).href;
    const module = substituted(markdownBlock(DOC, 'handoff-walkthrough-sdk', 'ts')).replace(
      "'baton-runtime/handoff'",
      `'${sdkEntry}'`,
    );
    const file = join(home, 'handoff.mts');
    writeFileSync(file, module);
    const { command, args } = tsxCommand(file);
    const result = await collectProcess(
      spawn(command, args, { cwd: sdkRepo.dir, env, stdio: ['pipe', 'pipe', 'pipe'] }),
      120_000,
    );
    expect(result.code, `${result.stderr}\n${logs()}`).toBe(0);
    const [report, outcome] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(report).toEqual({ decision: 'continue', files: ['README.md', 'notes/todo.md'] });
    expect(outcome).toMatchObject({
      runId: expect.stringMatching(/^run_/),
      status: 'succeeded',
      pulled: 'applied',
    });
    expect(readFileSync(join(sdkRepo.dir, 'HANDOFF.md'), 'utf8')).toBe('summarise the notes\n');
  }, 120_000);
});
