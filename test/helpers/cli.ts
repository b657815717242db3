import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repository root, for spawning the CLI from source in tests. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Resolved from this repository, so that the CLI also starts with a working directory elsewhere
// (a temp git repository), where a bare `--import tsx` would not be found.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Arguments that run a TypeScript file with Node and tsx (no build needed). */
export function tsxCommand(file: string, args: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', TSX_LOADER, file, ...args] };
}

/** Arguments that run the CLI from the TypeScript sources (no build needed). */
export function cliCommand(args: string[]): { command: string; args: string[] } {
  return tsxCommand(join(REPO_ROOT, 'src', 'cli', 'main.ts'), args);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child process's output until it exits; SIGKILLs it after `timeoutMs`. */
export function collectProcess(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `baton <args>` to completion and collects its output. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const { command, args: fullArgs } = cliCommand(args);
  const child = spawn(command, fullArgs, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  return collectProcess(child, options.timeoutMs);
}

/** `baton run <agentFile> <message> --detach --db <db>`: queues a run; returns its ids. */
export async function detachRun(
  agentFile: string,
  db: string,
  message = 'later',
): Promise<{ sessionId: string; runId: string }> {
  const result = await runCli(['run', agentFile, message, '--detach', '--db', db]);
  if (result.code !== 0) throw new Error(`baton run --detach exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as { sessionId: string; runId: string };
}
