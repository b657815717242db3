import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CancelledError, EnvironmentError } from '../../core/errors.js';
import { OutputTail } from './output-tail.js';
import type { SandboxResult } from './types.js';

/** A fully prepared process: argv, environment and caps. */
export interface ProcessSpec {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal | undefined;
  /** Called with each complete line of stdout as it arrives (the capped tail is still kept). */
  onStdoutLine?: ((line: string) => void) | undefined;
}

// After the leader exits, a descendant that escaped its process group (only possible without
// bwrap) may still hold the output pipes; they are closed after this grace period.
const PIPE_GRACE_MS = 1000;

/**
 * Spawns `argv` as the leader of a new process group, collects capped output, and kills the
 * whole group with SIGKILL on timeout or abort. Under bwrap the leader is bwrap itself, whose
 * death takes down the sandbox's PID namespace and so every descendant.
 */
export function runProcess(spec: ProcessSpec): Promise<SandboxResult> {
  if (spec.signal?.aborted)
    return Promise.reject(new CancelledError('the command was cancelled before it started'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const [file, ...args] = spec.argv;
    const child = spawn(file ?? '', args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new OutputTail(spec.maxOutputBytes);
    const stderr = new OutputTail(spec.maxOutputBytes);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    const onLine = spec.onStdoutLine;
    if (onLine)
      createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    let aborted = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    let graceTimer: NodeJS.Timeout | undefined;
    child.on('exit', () => {
      clearTimeout(timer);
      killGroup();
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? new EnvironmentError('command_not_found', `cannot run ${JSON.stringify(file)}: not found`, {
              cause: error,
            })
          : error,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(graceTimer);
      spec.signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        reject(new CancelledError('the command was cancelled'));
        return;
      }
      resolve({
        exitCode: code,
        signal,
        timedOut,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Math.round(performance.now() - started),
        truncated: stdout.truncated || stderr.truncated,
      });
    });
  });
}
