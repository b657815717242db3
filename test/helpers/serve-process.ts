import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { cliCommand, REPO_ROOT } from './cli.js';

/** A `baton serve` child process, started from source. */
export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The URL it printed (`Baton listening on <url>`). */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `baton serve <args>` and waits until it prints its URL; rejects if it exits first. */
export function startServeProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ServeProcess> {
  const { command, args: fullArgs } = cliCommand(['serve', ...args]);
  const child = spawn(command, fullArgs, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton serve did not print its URL in time; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Baton listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`baton serve exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}
