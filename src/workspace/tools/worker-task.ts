import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorBody } from '../../core/errors.js';
import { BatonError, CancelledError, EnvironmentError, errorMessage } from '../../core/errors.js';

/** An error raised inside a worker thread, carried back by its code and message. */
export class WorkerTaskError extends BatonError {}

/** What a worker module posts once: its value, or the error it failed with. */
export type WorkerOutcome<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Options of {@link runWorkerTask}. */
export interface WorkerTaskOptions {
  /** Aborting it terminates the thread; the task fails with `CancelledError`. */
  signal: AbortSignal;
  /** Past it the thread is terminated and the task fails with `timeoutError()`. */
  timeoutMs: number;
  timeoutError: () => BatonError;
}

/** Heap a worker task may use before the thread is stopped (a runaway search, not the process, dies). */
const MAX_WORKER_HEAP_MB = 256;

let tsxApi: string | undefined;

/** The URL of tsx's ESM API, read from its exports map (`import.meta.resolve` is not available under vitest). */
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const entry = manifest.exports?.['./esm/api']?.import?.default;
  if (!entry)
    throw new EnvironmentError('tsx_missing', 'tsx has no ESM API to load TypeScript worker modules');
  tsxApi = pathToFileURL(join(dirname(manifestPath), entry)).href;
  return tsxApi;
}

function startWorker(module: URL, workerData: unknown): Worker {
  const options = { workerData, resourceLimits: { maxOldGenerationSizeMb: MAX_WORKER_HEAP_MB } };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, options);
  // Running from the TypeScript sources (tests, tsx): a worker thread does not inherit the
  // parent's loader hooks, so it registers tsx's before it imports the module.
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Runs a worker module (one that posts a {@link WorkerOutcome} once, e.g. grep-worker.ts) on its
 * own thread with `workerData`, and settles with what it posts. A timeout or an abort
 * terminates the thread at once, whatever it is computing; so does a crash or heap overflow.
 */
export function runWorkerTask<T>(module: URL, workerData: unknown, options: WorkerTaskOptions): Promise<T> {
  if (options.signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(module, workerData);
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      finish();
    };
    const timer = setTimeout(() => settle(() => reject(options.timeoutError())), options.timeoutMs);
    const onAbort = (): void => settle(() => reject(new CancelledError()));
    options.signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (outcome: WorkerOutcome<T>) =>
      settle(() =>
        outcome.ok
          ? resolve(outcome.value)
          : reject(new WorkerTaskError(outcome.error.code, outcome.error.message)),
      ),
    );
    worker.once('error', (error) =>
      settle(() => reject(new WorkerTaskError('worker_failed', errorMessage(error)))),
    );
    worker.once('exit', (code) =>
      settle(() =>
        reject(new WorkerTaskError('worker_failed', `the worker thread exited (${code}) without an answer`)),
      ),
    );
  });
}
