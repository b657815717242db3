import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../src/testing/wait-for.js';
import { cliCommand } from './cli.js';

/** A `baton worker --pool … --plane …` child process, started and announced. */
export interface RunnerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Its own `BATON_HOME` (its key lives there). */
  home: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL to its whole process group (its sandboxed commands too), if any of it is left. */
  kill(): void;
}

/**
 * Starts a runner of pool `default` in a new directory `dir` with its own home and no database
 * (`BATON_DB` unset: it must reach the store only through the plane), in its own process group
 * so that a kill takes its sandboxed command down with it; resolves once it says `runner started`.
 */
export async function startRunnerProcess(
  planeUrl: string,
  dir: string,
  extraArgs: string[] = [],
): Promise<RunnerProcess> {
  const home = join(dir, 'home');
  mkdirSync(dir, { recursive: true });
  const { command, args } = cliCommand(['worker', '--pool', 'default', '--plane', planeUrl, ...extraArgs]);
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home };
  delete env.BATON_DB;
  const child = spawn(command, args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor(() => stderr.includes('runner started'), {
    timeoutMs: 90_000,
    intervalMs: 100,
    message: () => `runner in ${dir}: ${stderr}`,
  });
  return {
    child,
    home,
    stderr: () => stderr,
    kill: () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        // ESRCH: the runner and everything it started are gone already.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
  };
}
