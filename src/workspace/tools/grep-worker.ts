// The worker thread one `grep` call runs in (started by search-tools.ts through worker-task.ts).
// Matching and glob tests are CPU work on input the agent chose; off the main thread they can
// never stall the event loop that renews leases and runs the process's other runs.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorBody } from '../../core/errors.js';
import { type GrepRequest, grepFiles } from './grep-files.js';

grepFiles(workerData as GrepRequest).then(
  (value) => parentPort?.postMessage({ ok: true, value }),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: toErrorBody(error) }),
);
