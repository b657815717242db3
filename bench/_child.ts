// One measurement per child process: a system's peak RSS is then its own, and no JIT state,
// heap or open handle of one system leaks into the next one's numbers.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** What a child sends back: the work's result and the child's own peak resident set. */
export interface ChildAnswer<T> {
  result: T;
  peakRssMb: number;
}

/**
 * Runs `file` (a TypeScript module that calls {@link answerParent}) with `args` in a Node
 * process of its own, under the same loader as this one. Its output is kept and shown only if
 * it fails, so a peer's start-up chatter does not interleave with the tables.
 */
export function inChild<T>(file: string, args: readonly string[] = []): Promise<ChildAnswer<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let answer: ChildAnswer<T> | undefined;
    child.on('message', (message) => {
      answer = message as ChildAnswer<T>;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 && answer !== undefined) resolve(answer);
      else reject(new Error(`${file} ${args.join(' ')} exited ${code ?? signal}:\n${output}`));
    });
  });
}

/**
 * In a child started by {@link inChild}: runs `work`, sends its result with the process's peak
 * RSS, and exits, so handles a peer leaves open (pools, timers) cannot keep the child alive.
 */
export async function answerParent<T>(work: () => Promise<T>): Promise<void> {
  try {
    const result = await work();
    const answer: ChildAnswer<T> = { result, peakRssMb: process.resourceUsage().maxRSS / 1024 };
    process.send?.(answer, () => process.exit(0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

/**
 * A clock processes on one machine share: milliseconds since the epoch at sub-millisecond
 * resolution. Each process anchors it at its own start, so compare across processes only
 * after measuring the offset (a ping with the shortest round trip, as bench/http.ts does).
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}
