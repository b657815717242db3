import type { Command } from 'commander';
import { registerEvents } from './commands/events.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerVerifyLog } from './commands/verify-log.js';
import { registerWorker } from './commands/worker.js';

/**
 * Every CLI command, one module each under `commands/`. Each module exports
 * `register(program)`; add new commands to this list.
 */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerWorker(program);
  registerRuns(program);
  registerEvents(program);
  registerVerifyLog(program);
  registerServe(program);
}
