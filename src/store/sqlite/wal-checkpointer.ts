import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The checkpointer's thread, as CommonJS source (a file next to this one would be `.ts` under
 * tsx and vitest and `.js` in `dist`; evaluated source is the same everywhere). It opens its
 * own connection to the file and runs a PASSIVE checkpoint every `intervalMs`: PASSIVE never
 * waits for the writer, so a commit on the main thread is never held up by one.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const counters = new Int32Array(workerData.counters);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
} catch {
  // The main connection reports a missing or damaged file; this thread just has nothing to do.
  process.exit(0);
}
const checkpoint = () => {
  Atomics.add(counters, 1, 1);
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.checkpointed > 0) Atomics.add(counters, 0, 1);
  } catch {
    // A busy or locked file (another process checkpointing) is tried again at the next tick.
  } finally {
    Atomics.add(counters, 1, 1);
  }
};
// The thread starts one interval after the store opened: that interval's checkpoint is due now.
checkpoint();
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The background checkpoints of a store: read by the bench to tell them from checkpoints in commits. */
export interface BackgroundCheckpoints {
  /** Checkpoints that copied pages back into the database. */
  completed: number;
  /** Grows by one as each attempt begins and as it ends: odd while one is running. */
  ticks: number;
}

/**
 * WAL checkpoints off the step path. SQLite's automatic checkpoint runs inside the commit that
 * crosses `wal_autocheckpoint` pages, so one step in a thousand paid for copying the WAL back
 * into the database (the p99 of a step was 17× its p50). This thread checkpoints on a timer
 * instead, on its own connection; the main connection's automatic checkpoint stays as a
 * backstop only, at `BACKSTOP_PAGES`, for a thread that cannot keep up.
 */
export class WalCheckpointer {
  readonly #path: string;
  readonly #intervalMs: number;
  /** Started on the first tick, so a store closed within one interval never starts a thread. */
  #worker: Worker | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #start: NodeJS.Timeout;
  /** [checkpoints that copied pages, attempts begun + attempts ended (odd while one runs)]. */
  readonly #counters = new Int32Array(new SharedArrayBuffer(8));

  constructor(path: string, intervalMs: number) {
    this.#path = path;
    this.#intervalMs = intervalMs;
    // Booting a thread costs milliseconds of CPU and its shut-down waits for that boot: a short
    // run (a CLI call, a test, a benchmark's fresh file) whose WAL never needs a checkpoint
    // before the close (which checkpoints anyway) pays neither. Nothing is due before then.
    this.#start = setTimeout(() => this.#startThread(), intervalMs);
    // An open store must not keep a process alive that has nothing else to do.
    this.#start.unref();
  }

  /** What the thread has done so far; see {@link BackgroundCheckpoints}. */
  state(): BackgroundCheckpoints {
    return { completed: Atomics.load(this.#counters, 0), ticks: Atomics.load(this.#counters, 1) };
  }

  /** Stops the timer and closes the thread's connection; resolves once the thread is gone. */
  async close(): Promise<void> {
    clearTimeout(this.#start);
    const worker = this.#worker;
    if (worker === undefined) return;
    // Held again so that a process with nothing else to do waits for the thread to go.
    worker.ref();
    worker.postMessage('close');
    await this.#exited;
  }

  #startThread(): void {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path: this.#path, intervalMs: this.#intervalMs, counters: this.#counters.buffer },
    });
    this.#worker = worker;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    // A failure in the thread only means checkpoints fall back to the backstop.
    worker.on('error', () => {});
    // An open store must not keep a process alive that has nothing else to do.
    worker.unref();
  }
}

/** WAL size (pages of 4 KiB) at which the main connection checkpoints itself: 64 MiB. */
export const BACKSTOP_PAGES = 16_384;

/** Default interval of the background checkpoint. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 200;
